"""Settings come from the environment: embedded by default, strict in production."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

PRODUCTION = {
    "SECRET_KEY": "x7#k2" * 12,
    "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    "ALLOWED_HOSTS": "adolf.example.com",
}
PROBE = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "debug": settings.DEBUG, "engine": db["ENGINE"], "db_name": str(db["NAME"]),
    "broker": settings.CELERY_BROKER_URL, "result_backend": settings.CELERY_RESULT_BACKEND,
    "time_zone": settings.TIME_ZONE, "celery_timezone": settings.CELERY_TIMEZONE,
    "language": settings.LANGUAGE_CODE, "keys": len(settings.FIELD_ENCRYPTION_KEYS),
    "ssl_redirect": settings.SECURE_SSL_REDIRECT, "cache": settings.CACHES["default"]["BACKEND"],
}))
"""


def run_settings(tmp_path, code: str = PROBE, **env: str) -> subprocess.CompletedProcess:
    """Load the settings in a fresh interpreter with exactly this environment."""
    clean = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "adolf.settings", "ADOLF_DATA_DIR": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, cwd=settings.BASE_DIR,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def loaded(tmp_path, **env: str) -> dict:
    result = run_settings(tmp_path, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_with_nothing_set_in_debug_it_runs_embedded_on_sqlite_and_the_filesystem_broker(tmp_path):
    values = loaded(tmp_path, DEBUG="true")
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["db_name"] == str(tmp_path / "adolf.sqlite3")
    assert values["broker"] == "filesystem://localhost//"
    assert values["result_backend"] == "django-db"
    assert values["cache"].endswith("FileBasedCache")
    assert (tmp_path / "broker" / "queue").is_dir()


def test_the_embedded_broker_connects_without_kombus_missing_host_name_warning(tmp_path):
    # Every command, /health/ and the dashboard connect: a bare machine's first steps
    # printed "No hostname was supplied" warnings, twice per connection.
    code = """
import django
django.setup()
from adolf.celery import app
with app.connection_for_write() as connection:
    connection.ensure_connection(max_retries=1)
print(app.control.inspect(timeout=0.2).ping())
"""
    result = run_settings(tmp_path, code, DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "None"  # connected; no worker runs here
    assert "No hostname was supplied" not in result.stderr


def test_the_environment_selects_postgres_and_redis(tmp_path):
    values = loaded(
        tmp_path, **PRODUCTION,
        DATABASE_URL="postgres://adolf:pw@db.internal:5432/adolf", REDIS_URL="redis://cache.internal:6379/2",
    )  # fmt: skip
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["db_name"] == "adolf"
    assert values["broker"] == "redis://cache.internal:6379/2"
    assert values["cache"].endswith("RedisCache")


def test_an_explicit_broker_url_wins_over_redis_url(tmp_path):
    values = loaded(tmp_path, DEBUG="1", REDIS_URL="redis://cache:6379/0", CELERY_BROKER_URL="redis://broker:6379/1")
    assert values["broker"] == "redis://broker:6379/1"


def test_time_zone_and_language_default_to_moscow_and_russian(tmp_path):
    values = loaded(tmp_path, DEBUG="1")
    assert (values["time_zone"], values["celery_timezone"], values["language"]) == (
        "Europe/Moscow",
        "Europe/Moscow",
        "ru",
    )
    values = loaded(tmp_path, DEBUG="1", TIME_ZONE="UTC", LANGUAGE_CODE="en")
    assert (values["time_zone"], values["celery_timezone"], values["language"]) == ("UTC", "UTC", "en")


def test_debug_is_off_unless_set_and_then_https_is_enforced(tmp_path):
    values = loaded(tmp_path, **PRODUCTION)
    assert values["debug"] is False
    assert values["ssl_redirect"] is True


def test_several_encryption_keys_are_accepted_for_rotation(tmp_path):
    keys = f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}"
    assert loaded(tmp_path, **{**PRODUCTION, "FIELD_ENCRYPTION_KEY": keys})["keys"] == 2


def test_a_secret_can_be_read_from_a_file(tmp_path):
    key_file = tmp_path / "fernet"
    key_file.write_text(PRODUCTION["FIELD_ENCRYPTION_KEY"] + "\n")
    env = {**PRODUCTION, "FIELD_ENCRYPTION_KEY_FILE": str(key_file)}
    del env["FIELD_ENCRYPTION_KEY"]
    assert loaded(tmp_path, **env)["keys"] == 1


@pytest.mark.parametrize("missing", ["SECRET_KEY", "FIELD_ENCRYPTION_KEY"])
def test_production_refuses_to_start_without_its_secret_and_names_it(tmp_path, missing):
    env = {name: value for name, value in PRODUCTION.items() if name != missing}
    result = run_settings(tmp_path, **env)
    assert result.returncode != 0
    assert f"{missing} is not set" in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"FIELD_ENCRYPTION_KEY": "not-a-key"}, "FIELD_ENCRYPTION_KEY key #1 is not a Fernet key"),
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"CELERY_TASK_TIME_LIMIT": "ten"}, "CELERY_TASK_TIME_LIMIT='ten' is not a whole number"),
        ({"CELERY_VISIBILITY_TIMEOUT": "30"}, "CELERY_VISIBILITY_TIMEOUT=30 is below its minimum of 60"),
        ({"LANGUAGE_CODE": "de"}, "LANGUAGE_CODE='de' is not one of: ru, en"),
    ],
)
def test_a_bad_value_stops_start_up_with_a_clear_error(tmp_path, env, message):
    result = run_settings(tmp_path, **{**PRODUCTION, **env})
    assert result.returncode != 0
    assert message in result.stderr


def test_manage_py_check_deploy_passes_in_a_production_like_environment(tmp_path):
    result = run_settings(
        tmp_path,
        code="from django.core.management import execute_from_command_line as run; "
        "run(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        **PRODUCTION,
        DATABASE_URL="postgres://adolf:pw@db.internal:5432/adolf",
        REDIS_URL="redis://cache.internal:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_manage_py_names_a_missing_secret_instead_of_failing_later(tmp_path):
    env = {"PATH": os.environ["PATH"], "ADOLF_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "manage.py: SECRET_KEY is not set. It is required when DEBUG is off; see .env.example."
    )
