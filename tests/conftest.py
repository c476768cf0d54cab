"""Fixtures shared by the whole suite, and the CI guard for real services."""

from __future__ import annotations

import os

import pytest
from django.conf import settings

from tests.support.processes import purge_queues, settle, start_worker

CI = os.environ.get("CI", "").lower() == "true"
# Fixtures kept beside their helpers: the `browser` (Debian's chromium through Playwright), the simulated `server`.
pytest_plugins = ["tests.support.browser", "tests.support.simulated_store"]


def _require_real_services() -> None:
    """Under CI the suite runs on real PostgreSQL and Redis, or fails: it never skips."""
    import psycopg
    import redis

    problems = []
    database = settings.DATABASES["default"]
    if "postgresql" not in database["ENGINE"]:
        problems.append("DATABASE_URL must point at PostgreSQL under CI=true")
    else:
        try:
            psycopg.connect(
                host=database["HOST"], port=database["PORT"] or 5432, user=database["USER"],
                password=database["PASSWORD"] or None, dbname="postgres", connect_timeout=5,
            ).close()  # fmt: skip
        except psycopg.Error as exc:
            problems.append(f"PostgreSQL at {database['HOST']}:{database['PORT']} is unreachable: {exc}")
    if not settings.REDIS_URL:
        problems.append("REDIS_URL must be set under CI=true")
    else:
        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=5).ping()
        except redis.RedisError as exc:
            problems.append(f"Redis at {settings.REDIS_URL} is unreachable: {exc}")
    if problems:
        pytest.exit("CI=true but the real services are missing:\n  " + "\n  ".join(problems), returncode=2)


def pytest_sessionstart(session: pytest.Session) -> None:
    if CI:
        _require_real_services()


def pytest_report_header(config: pytest.Config) -> str:
    if settings.EMBEDDED_DATABASE and settings.EMBEDDED_BROKER:
        return "adolf: DATABASE_URL and REDIS_URL unset: running on the embedded SQLite database and filesystem broker"
    return f"adolf: database {settings.DATABASES['default']['ENGINE']}, broker {settings.CELERY_BROKER_URL.split('://')[0]}"


@pytest.fixture(scope="session")
def session_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    """One real `celery worker` process for the session, on the test database and the real broker."""
    purge_queues()
    with django_db_blocker.unblock():
        worker = start_worker(tmp_path_factory.mktemp("worker"))
    yield worker
    worker.stop()


@pytest.fixture
def celery_worker(session_worker):
    """The session's worker; after the test, wait until it has finished the test's work.

    A task still running when the test's database is flushed deadlocks the flush or
    writes into the next test.
    """
    yield session_worker
    settle(session_worker)


@pytest.fixture
def in_english(settings):
    """Word operator texts in English (LANGUAGE_CODE=en), for tests that pin the English wording.

    The deployment's default is Russian; each text's Russian is checked where it matters
    (tests/test_translations.py, and a test of each surface in Russian).
    """
    settings.LANGUAGE_CODE = "en"
