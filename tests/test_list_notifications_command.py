"""`manage.py list_notifications` browses the log from a shell, as a table or as JSON."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.factories.notifications import NotificationFactory

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("list_notifications", *args, stdout=out)
    return out.getvalue()


def listed(*args: str) -> list[dict]:
    return json.loads(run("--json", *args))


@pytest.fixture
def log():
    now = timezone.now()
    return {
        "old": NotificationFactory(created=now - timedelta(hours=3), title="old"),
        "new": NotificationFactory(created=now - timedelta(minutes=5), title="Новый заказ", data={"store": "main"}),
        "cancel": NotificationFactory(
            created=now - timedelta(minutes=4), event_type="shop.order.cancelled", level="warning", title="cancel"
        ),
        "failed": NotificationFactory(
            created=now - timedelta(minutes=3), event_type="shop.order.failed", level="error", title="failed"
        ),
        "auth": NotificationFactory(
            created=now - timedelta(minutes=2), event_type="auth.user.locked", source_module="auth", title="auth"
        ),
    }


def test_json_prints_every_field_newest_first(log):
    rows = listed()
    assert [row["title"] for row in rows] == ["auth", "failed", "cancel", "Новый заказ", "old"]
    new = rows[3]
    assert {"event_type", "title", "message", "level", "source_module", "source_id", "data", "created"} <= set(new)
    assert new["data"] == {"store": "main"}
    assert new["source_id"] == log["new"].source_id
    assert new["created"] == log["new"].created.isoformat()


def test_since_level_event_type_module_and_limit_filter_the_log(log):
    assert [row["title"] for row in listed("--since", "1h", "--level", "warning")] == ["failed", "cancel"]
    assert [row["title"] for row in listed("--event-type", "shop.order.cancelled")] == ["cancel"]
    assert [row["title"] for row in listed("--event-type", "shop.order.*", "--since", "1h")] == [
        "failed", "cancel", "Новый заказ",
    ]  # fmt: skip
    assert [row["title"] for row in listed("--module", "auth")] == ["auth"]
    assert [row["title"] for row in listed("--limit", "2")] == ["auth", "failed"]


def test_the_table_shows_one_line_per_notification(log):
    lines = run("--since", "1h").splitlines()
    assert len(lines) == 4
    assert "ERROR" in lines[1]
    assert "shop.order.failed" in lines[1]


def test_an_empty_result_says_so():
    assert run() == "No notifications match.\n"
    assert listed() == []


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--since", "yesterday"], "is not a duration like 30m, 1h, 2d or 1w"), (["--limit", "0"], "at least 1")],
)
def test_a_bad_argument_is_a_clear_error(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
