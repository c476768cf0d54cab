"""Thin Celery tasks over notifications.dispatch: ids in, nothing else."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from notifications import dispatch
from notifications.publish import publish


@shared_task(name="notifications.dispatch_delivery", ignore_result=True)
def dispatch_delivery(delivery_id: int) -> str | None:
    """Make one attempt at a delivery (a no-op unless it is pending and due)."""
    return dispatch.deliver(delivery_id)


@shared_task(name="notifications.sweep_deliveries")
def sweep_deliveries() -> dict[str, int]:
    """Re-dispatch deliveries left behind by a crash, and retries whose long backoff is over."""
    return dispatch.sweep()


@shared_task(name="notifications.publish")
def publish_notification(
    event_type: str,
    title: str,
    message: str,
    source_module: str,
    source_id: str = "",
    level: str = "info",
    data: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> int:
    """Publish a notification handed over as a task message (by a microservice); return its id.

    A redelivered message is harmless: publishing is idempotent. A malformed one fails
    with PublishError and is not retried.
    """
    notification = publish(event_type, title, message, source_module, source_id, level, data, dedupe_key=dedupe_key)
    return notification.pk
