"""Structured log lines: key=value (default) or JSON, carrying the ids of the work at hand.

`log_context(store="main", order=1042)` binds ids for the code inside it; the Celery task
id and name are added by themselves inside a task. The rule is that secrets never reach a
logger (settings quiets the libraries that would log URLs carrying keys), and a test reads
the logs of a real poll to prove it; as a second line, credentials in URLs, query strings
and Authorization values are masked in every line (adolf.redaction).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from adolf.redaction import redact

CONTEXT_KEYS = ("store", "order", "delivery", "task_id", "task")
_context: ContextVar[dict[str, Any]] = ContextVar("adolf_log_context", default={})  # noqa: B039 - never mutated


@contextmanager
def log_context(**ids: Any) -> Iterator[None]:
    """Add ids (store, order, …) to every record logged inside the block."""
    token = _context.set({**_context.get(), **{key: value for key, value in ids.items() if value is not None}})
    try:
        yield
    finally:
        _context.reset(token)


class ContextFilter(logging.Filter):
    """Copy the bound ids and the current Celery task onto each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _context.get().items():
            if not hasattr(record, key):
                setattr(record, key, value)
        if not hasattr(record, "task_id"):
            task = _current_task()
            if task is not None:
                record.task_id = task.request.id
                record.task = task.name
        return True


def _current_task():
    from celery import current_task

    task = current_task._get_current_object() if current_task else None
    return task if task is not None and task.request.id else None


def _fields(record: logging.LogRecord, formatter: logging.Formatter) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
        "level": record.levelname,
        "logger": record.name,
        "msg": redact(record.getMessage()),
    }
    for key in CONTEXT_KEYS:
        value = getattr(record, key, None)
        if value not in (None, ""):
            fields[key] = value
    if record.exc_info:
        fields["exc"] = redact(formatter.formatException(record.exc_info))
    return fields


class KeyValueFormatter(logging.Formatter):
    """Format a record as `ts=… level=… logger=… msg="…" store=… task_id=…`."""

    def format(self, record: logging.LogRecord) -> str:
        return " ".join(f"{key}={_value(value)}" for key, value in _fields(record, self).items())


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object on one line."""

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(_fields(record, self), ensure_ascii=False, default=str)


def _value(value: Any) -> str:
    text = str(value)
    if text and not any(char in text for char in ' "=\n\t'):
        return text
    return json.dumps(text, ensure_ascii=False)
