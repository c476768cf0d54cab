"""Settings that contradict each other stop web, worker, beat and manage.py at start, naming them and the rule."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.core import checks
from django.test import override_settings

from adolf.checks import SETTINGS
from tests.support.processes import PROJECT_ROOT, child_env

# The issue's input: a 60 s visibility timeout, a 20 s time limit, and microservices
# allowed a 100 s countdown. Everything else is consistent, so only that rule is broken.
ISSUE = {
    "CELERY_VISIBILITY_TIMEOUT": "60",
    "CELERY_TASK_TIME_LIMIT": "20",
    "CELERY_TASK_SOFT_TIME_LIMIT": "15",
    "TASK_MAX_DELAY_SECONDS": "100",
    "TASK_RETRY_MAX_COUNTDOWN_SECONDS": "10",
    "SHOP_STORE_TIMEOUT": "5",
    "SHOP_POLL_MAX_SECONDS": "5",
}
NAMED = [
    "(adolf.E002) CELERY_VISIBILITY_TIMEOUT=60 is too short for CELERY_TASK_TIME_LIMIT=20 and "
    "TASK_MAX_DELAY_SECONDS=100",
    "The rule: CELERY_VISIBILITY_TIMEOUT >= CELERY_TASK_TIME_LIMIT + the longest countdown (TASK_MAX_DELAY_SECONDS)"
    " + 10 s = 130 s.",
]
COMMANDS = {
    "manage.py check": [sys.executable, "manage.py", "check"],
    "celery worker": [sys.executable, "-m", "celery", "-A", "adolf", "worker", "--queues", "contradictions"],
    "celery beat": [sys.executable, "-m", "celery", "-A", "adolf", "beat"],
    "web": [sys.executable, "-m", "gunicorn", "adolf.wsgi:application", "--bind", "127.0.0.1:0", "--workers", "1"],
}


def errors() -> list[str]:
    return sorted(f"{message.id}: {message.msg} {message.hint}" for message in checks.run_checks(tags=[SETTINGS]))


@pytest.mark.e2e
@pytest.mark.django_db
@pytest.mark.parametrize("process", COMMANDS)
def test_the_issues_settings_stop_every_process_at_start_naming_both_settings_and_the_rule(process):
    result = subprocess.run(
        COMMANDS[process], cwd=PROJECT_ROOT, env=child_env(**ISSUE), capture_output=True, text=True, timeout=120
    )

    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert all(text in output for text in NAMED), output[-3000:]


# TASK_MAX_DELAY_SECONDS as the settings derive it from these: 60 - 20 - 10.
@override_settings(
    CELERY_VISIBILITY_TIMEOUT=60, CELERY_TASK_TIME_LIMIT=20, CELERY_TASK_SOFT_TIME_LIMIT=15, TASK_MAX_DELAY_SECONDS=30,
    SHOP_POLL_MAX_SECONDS=5, SHOP_STORE_TIMEOUT=5,
)  # fmt: skip
def test_the_longest_retry_countdown_counts_too():
    [error] = errors()
    assert error.startswith(
        "adolf.E002: CELERY_VISIBILITY_TIMEOUT=60 is too short for CELERY_TASK_TIME_LIMIT=20 and "
        "TASK_RETRY_MAX_COUNTDOWN_SECONDS=300"
    )
    assert "= 330 s." in error


@override_settings(CELERY_TASK_SOFT_TIME_LIMIT=600, CELERY_TASK_TIME_LIMIT=600)
def test_a_soft_time_limit_not_below_the_hard_one_is_refused():
    assert [error.split(":")[0] for error in errors()] == ["adolf.E001"]


@override_settings(SHOP_POLL_MAX_SECONDS=530, SHOP_STORE_TIMEOUT=20, CELERY_TASK_SOFT_TIME_LIMIT=540)
def test_a_poll_budget_the_soft_time_limit_would_cut_short_is_refused():
    [error] = errors()
    assert error.startswith("shop.E001: SHOP_POLL_MAX_SECONDS=530 leaves no room under CELERY_TASK_SOFT_TIME_LIMIT=540")
    assert "The rule: SHOP_POLL_MAX_SECONDS + SHOP_STORE_TIMEOUT < CELERY_TASK_SOFT_TIME_LIMIT." in error


@override_settings(SHOP_POLL_LEASE_SECONDS=15, SHOP_STORE_TIMEOUT=20)
def test_a_poll_lease_shorter_than_one_request_to_the_store_is_refused():
    [error] = errors()
    assert error.startswith("shop.E002: SHOP_POLL_LEASE_SECONDS=15 is not longer than SHOP_STORE_TIMEOUT=20")


# The dispatcher holds a poll until its due time, up to two runs ahead: 2 × 400 s here.
@override_settings(
    SHOP_DISPATCH_SECONDS=400, CELERY_VISIBILITY_TIMEOUT=1200, CELERY_TASK_TIME_LIMIT=600, TASK_MAX_DELAY_SECONDS=500,
)  # fmt: skip
def test_a_dispatcher_holding_polls_past_the_visibility_timeout_is_refused():
    [error] = errors()
    assert error.startswith(
        "shop.E003: CELERY_VISIBILITY_TIMEOUT=1200 is too short for CELERY_TASK_TIME_LIMIT=600 and "
        "SHOP_DISPATCH_SECONDS=400 (the poll dispatcher holds each poll until its due time, up to twice that: 800 s)"
    )
    assert (
        "The rule: CELERY_VISIBILITY_TIMEOUT >= CELERY_TASK_TIME_LIMIT + 2 × SHOP_DISPATCH_SECONDS + 10 s = 1410 s."
        in error
    )


def test_the_defaults_agree():
    assert errors() == []
