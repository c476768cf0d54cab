"""The troubleshooting snapshot behind `manage.py shop_status`: queues, workers, and each app's sections."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from adolf import broker
from adolf.redaction import redact
from operations.registry import registry


def iso(value: datetime | None) -> str | None:
    """Return an aware datetime as ISO 8601 text, None as None (the snapshot is JSON)."""
    return value.isoformat() if value else None


def snapshot(*, timeout: float) -> dict[str, Any]:
    """Gather everything the seed's troubleshooting steps look at, each broker call bounded by `timeout`.

    Shape: {"checked_at", "queues": {queue: length} or {"error"}, "workers": [name] or
    {"error"}, and one key per registered status section (operations.registry)}.
    """
    report: dict[str, Any] = {"checked_at": timezone.now().isoformat()}
    try:
        report["queues"] = broker.queue_lengths(timeout)
    except Exception as exc:  # the snapshot reports a down broker rather than failing
        report["queues"] = {"error": redact(f"broker unreachable: {exc}")}
    try:
        report["workers"] = broker.workers(timeout)
    except Exception as exc:  # as above
        report["workers"] = {"error": redact(f"no worker can be asked: {exc}")}
    for name, section in registry.status_sections.items():
        report[name] = section.collect()
    return report
