"""Thin Celery tasks over notifications.dispatch: ids in, nothing else."""

from __future__ import annotations

from collections import Counter
from typing import Any

from celery import shared_task

from adolf import metrics
from adolf.logs import log_context
from notifications import dispatch, outbox, retention
from notifications.models import DeliveryStatus
from notifications.publish import publish

# What an attempt's resulting status means, for the deliveries metric ("held": the channel
# is disabled, or this attempt showed it broken).
OUTCOMES = {
    DeliveryStatus.SENT: "sent", DeliveryStatus.PENDING: "retry", DeliveryStatus.FAILED: "failed",
    DeliveryStatus.DEAD: "dead", DeliveryStatus.HELD: "held",
}  # fmt: skip


@shared_task(name=outbox.BATCH_TASK, ignore_result=True)
def dispatch_deliveries(delivery_ids: list[int]) -> dict[str, int]:
    """Make one attempt at each due pending delivery given, and at others due, up to a batch; return counts by outcome.

    Rows no longer pending and due (sent meanwhile, taken by another batch) are skipped. A
    full batch hands on a follow-up task first: there may be more waiting (notifications.outbox).
    """
    outbox.taking()
    with log_context(deliveries=len(delivery_ids)):
        outcomes = dispatch.deliver_batch(delivery_ids, fill=outbox.BATCH_SIZE, when_full=outbox.follow_up)
    counts: Counter[str] = Counter()
    for outcome in outcomes:
        if outcome.attempted or outcome.status == DeliveryStatus.HELD:
            label = OUTCOMES.get(outcome.status, outcome.status)
            metrics.delivery_attempted(outcome.kind, label)
            counts[label] += 1
    return dict(counts)


@shared_task(name=outbox.DISPATCH_TASK, ignore_result=True)
def dispatch_delivery(delivery_id: int) -> dict[str, int]:
    """The task of one delivery, as queued before batches: sent as a batch of one (and whatever is due)."""
    return dispatch_deliveries([delivery_id])


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
