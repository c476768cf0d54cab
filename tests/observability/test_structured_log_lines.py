"""Log lines are key=value (or JSON by setting) and carry the store, order and Celery task they concern."""

from __future__ import annotations

import json
import logging

import pytest
from celery import shared_task

from adolf.logs import ContextFilter, JsonFormatter, KeyValueFormatter, log_context

logger = logging.getLogger("tests.logs")


def record(message: str, *args: object, level: int = logging.INFO, exc_info=None) -> logging.LogRecord:
    entry = logger.makeRecord(logger.name, level, __file__, 1, message, args, exc_info)
    ContextFilter().filter(entry)
    return entry


def test_a_key_value_line_carries_the_bound_store_and_order():
    with log_context(store="main", order=1042):
        line = KeyValueFormatter().format(record("published %s", "shop.order.new"))

    fields = line.split(" ", 1)[1]  # after the timestamp
    assert fields == 'level=INFO logger=tests.logs msg="published shop.order.new" store=main order=1042'
    assert line.startswith("ts=20")


def test_values_with_spaces_quotes_or_equals_are_quoted():
    line = KeyValueFormatter().format(record('said "a=b" twice'))

    assert 'msg="said \\"a=b\\" twice"' in line


def test_the_context_ends_with_its_block_and_nests():
    with log_context(store="main"):
        with log_context(order=7):
            inner = KeyValueFormatter().format(record("inner"))
        outer = KeyValueFormatter().format(record("outer"))
    after = KeyValueFormatter().format(record("after"))

    assert inner.endswith("store=main order=7")
    assert outer.endswith("store=main")
    assert "store=" not in after


def test_json_lines_hold_the_same_fields_and_the_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        entry = record("failed", level=logging.ERROR, exc_info=sys.exc_info())
    with log_context(store="main"):
        ContextFilter().filter(entry)
    data = json.loads(JsonFormatter().format(entry))

    assert {key: data[key] for key in ("level", "logger", "msg")} == {
        "level": "ERROR",
        "logger": "tests.logs",
        "msg": "failed",
    }
    assert "ValueError: boom" in data["exc"]


@shared_task(name="tests.log_inside_a_task")
def log_inside_a_task() -> str:
    entry = record("working")
    return KeyValueFormatter().format(entry)


def test_lines_logged_inside_a_celery_task_carry_its_id_and_name():
    result = log_inside_a_task.apply(task_id="0f6c5e1e-task")

    assert result.get().endswith("task_id=0f6c5e1e-task task=tests.log_inside_a_task")


@pytest.mark.parametrize(("log_format", "formatter"), [("keyvalue", "KeyValueFormatter"), ("json", "JsonFormatter")])
def test_log_format_chooses_the_formatter_of_every_process(tmp_path, log_format, formatter):
    from tests.test_settings import PRODUCTION, run_settings

    code = (
        "import django, logging; from django.conf import settings; django.setup();"
        "print(type(logging.getLogger().handlers[0].formatter).__name__)"
    )
    chosen = run_settings(tmp_path, code, LOG_FORMAT=log_format, **PRODUCTION)
    refused = run_settings(tmp_path, code, LOG_FORMAT="xml", **PRODUCTION)

    assert chosen.stdout.strip() == formatter
    assert "LOG_FORMAT='xml' is not one of: keyvalue, json" in refused.stderr
