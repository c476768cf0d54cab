"""A command's stdout carries only its output: every log line, django-axes' start-up line included, goes to stderr."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.factories.notifications import NotificationFactory
from tests.support.processes import PROJECT_ROOT, child_env

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def manage(*args: str) -> subprocess.CompletedProcess[str]:
    """Run manage.py as a shell user would, at the most talkative log level."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=child_env(LOG_LEVEL="DEBUG"),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def test_list_notifications_json_can_be_piped_into_a_json_parser():
    NotificationFactory(title="Новый заказ", event_type="shop.order.new")

    result = manage("list_notifications", "--json")

    assert [row["title"] for row in json.loads(result.stdout)] == ["Новый заказ"]
    assert "logger=axes.apps" in result.stderr  # it did log, to stderr


def test_shop_status_json_can_be_piped_into_a_json_parser():
    result = manage("shop_status", "--json", "--timeout", "1")

    report = json.loads(result.stdout)
    assert {"checked_at", "queues", "workers", "stores"} <= set(report)
    assert "level=" not in result.stdout
