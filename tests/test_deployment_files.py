"""docker-compose.yml, .env.example and the Makefile agree with the settings and the Celery app.

No Docker engine runs here, so the compose file is checked by reading it.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from adolf.celery import QUEUES
from tests.support.processes import child_env

ROOT = Path(settings.BASE_DIR)
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
LONG_RUNNING = ("postgres", "redis", "web", "worker", "beat", "flower")


def settings_variables() -> set[str]:
    source = (ROOT / "adolf" / "settings.py").read_text()
    return set(re.findall(r'env_(?:str|bool|int|list|required|url)\(\s*"([A-Z_]+)"', source))


def compose_variables() -> set[str]:
    """The variables docker-compose.yml interpolates (`${NAME}`, `${NAME:-default}`, `${NAME:?error}`)."""
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", (ROOT / "docker-compose.yml").read_text()))


def documented_variables() -> set[str]:
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))


def test_the_stack_has_every_service_of_production():
    assert set(SERVICES) == {"postgres", "redis", "migrate", "web", "worker", "beat", "flower"}


def test_every_long_running_service_restarts_and_the_stateful_ones_have_healthchecks():
    for name in LONG_RUNNING:
        assert SERVICES[name]["restart"] == "unless-stopped", name
    for name in ("postgres", "redis", "web", "worker"):
        assert "test" in SERVICES[name]["healthcheck"], name


def test_redis_never_evicts_a_queued_task():
    command = SERVICES["redis"]["command"]
    assert command[command.index("--maxmemory-policy") + 1] == "noeviction"


def test_exactly_one_beat_runs_with_the_database_scheduler_from_settings():
    beat = SERVICES["beat"]
    assert beat["command"][:4] == ["celery", "-A", "adolf", "beat"]
    assert beat["deploy"]["replicas"] == 1
    from django_celery_beat.schedulers import DatabaseScheduler

    from adolf.beat import Scheduler

    assert settings.CELERY_BEAT_SCHEDULER == "adolf.beat:Scheduler"
    assert issubclass(Scheduler, DatabaseScheduler)


def test_the_worker_consumes_every_queue_the_app_routes_to():
    command = SERVICES["worker"]["command"]
    assert command[:4] == ["celery", "-A", "adolf", "worker"]
    assert command[command.index("--queues") + 1].split(",") == list(QUEUES)


def test_web_runs_gunicorn_on_the_wsgi_app_after_migrations():
    web = SERVICES["web"]
    assert web["command"][:2] == ["gunicorn", "adolf.wsgi:application"]
    assert web["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert SERVICES["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]


@pytest.mark.parametrize("service", ["web", "worker", "beat", "flower", "migrate"])
def test_app_services_get_postgres_redis_and_the_required_secrets(service):
    environment = SERVICES[service]["environment"]
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert environment["CELERY_BROKER_URL"].startswith("redis://redis:6379")
    for secret in ("SECRET_KEY", "FIELD_ENCRYPTION_KEY", "ALLOWED_HOSTS"):
        # ${NAME:?…} makes compose refuse to start without it.
        assert environment[secret].startswith(f"${{{secret}:?"), secret


def test_compose_sets_only_variables_that_settings_read():
    environment = SERVICES["web"]["environment"]
    assert set(environment) <= settings_variables()


def test_env_example_documents_exactly_the_variables_settings_and_compose_read():
    # The stack's own (POSTGRES_PASSWORD, FLOWER_BASIC_AUTH) too: compose refuses to start
    # without FLOWER_BASIC_AUTH, so a .env copied from the example must show it.
    assert settings_variables() | compose_variables() == documented_variables()
    assert {"POSTGRES_PASSWORD", "FLOWER_BASIC_AUTH"} <= documented_variables()


def test_the_procfile_of_make_run_starts_web_worker_beat_and_the_demo_store():
    procfile = dict(line.split(": ", 1) for line in (ROOT / "Procfile.dev").read_text().splitlines() if line)
    assert set(procfile) == {"web", "worker", "beat", "store"}
    assert "simulate_store --port 8100 --plain-http --demo-keys --scenario" in procfile["store"]
    assert f"--queues {','.join(QUEUES)}" in procfile["worker"]
    assert procfile["beat"].startswith("celery -A adolf beat")


def test_ci_runs_the_readmes_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert "make test" in (ROOT / "README.md").read_text()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_make_status_works_after_make_run_on_a_bare_machine():
    # A bare machine: no .env, no DEBUG, no secrets (make run sets DEBUG on; status must too).
    env = {
        name: value
        for name, value in child_env().items()
        if name not in {"DEBUG", "SECRET_KEY", "FIELD_ENCRYPTION_KEY", "MAKEFLAGS", "MAKELEVEL"}
    }
    # -o: the venv is taken as installed (the test must not reinstall packages).
    done = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "status"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "SECRET_KEY is not set" not in done.stderr
    assert done.returncode == 0, done.stderr
    assert "Stores:" in done.stdout
