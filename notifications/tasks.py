"""Thin Celery tasks over notifications.dispatch: ids in, nothing else."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from adolf import metrics
from adolf.logs import log_context
from notifications import dispatch, outbox, retention
from notifications.models import Delivery, DeliveryStatus
from notifications.publish import publish

# What an attempt's resulting status means, for the deliveries metric ("held": the channel
# is disabled, or this attempt showed it broken).
OUTCOMES = {
    DeliveryStatus.SENT: "sent", DeliveryStatus.PENDING: "retry", DeliveryStatus.FAILED: "failed",
    DeliveryStatus.DEAD: "dead", DeliveryStatus.HELD: "held",
}  # fmt: skip


@shared_task(name=outbox.DISPATCH_TASK, ignore_result=True)
def dispatch_delivery(delivery_id: int) -> str | None:
    """Make one attempt at a delivery (a no-op unless it is pending and due)."""
    with log_context(delivery=delivery_id):
        status = dispatch.deliver(delivery_id)
    if status is not None:
        kind = Delivery.objects.filter(pk=delivery_id).values_list("channel__kind", flat=True).first() or "unknown"
        metrics.delivery_attempted(kind, OUTCOMES.get(status, status))
    return status


@shared_task(name="notifications.sweep_deliveries")
def sweep_deliveries() -> dict[str, int]:
    """Re-dispatch deliveries left behind by a crash, and retries whose long backoff is over."""
    return dispatch.sweep()


@shared_task(name="notifications.prune_notifications")
def prune_notifications() -> int:
    """Delete notifications past NOTIFICATION_RETENTION_DAYS (beat runs it daily); return how many."""
    return retention.prune()


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
