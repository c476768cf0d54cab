"""Point a benchmark process at its own database and Redis, and start Django there."""

from __future__ import annotations

import os

import django

# The benchmarks empty their Redis database and delete their rows: they never take the
# deployment's DATABASE_URL / REDIS_URL, only BENCH_DATABASE_URL / BENCH_REDIS_URL.
TARGETS = {
    "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/adolf_bench"),
    "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"),
}
DEFAULTS = {
    # Throw-away secrets: benchmarks run production-like (DEBUG off keeps Django from
    # recording every query in memory, which would distort peak RSS).
    "SECRET_KEY": "bench-only-secret-key-not-for-production-5e1f7c2a9b3d4e6f8a0b1c2d3e4f5a6b",
    "FIELD_ENCRYPTION_KEY": "0Vp0GlsQOv2mIU7ZwEkHlE3w0XKtWcF2Q7ZE3dN1YqA=",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false",
    "LOG_LEVEL": "WARNING",
    "ADOLF_DATA_DIR": "var/bench",
}


def start_django() -> None:
    os.environ.update(TARGETS)
    os.environ.pop("CELERY_BROKER_URL", None)
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adolf.settings")
    django.setup()


def prepare_database() -> None:
    """Create the benchmark database if needed and bring its schema up to date."""
    import psycopg
    from django.conf import settings
    from django.core.management import call_command

    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"] or None,
        dbname="postgres", autocommit=True, connect_timeout=5,
    ) as conn:  # fmt: skip
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')
    call_command("migrate", verbosity=0)
