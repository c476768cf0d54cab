"""Deliver one delivery row: claim it, send it, record the outcome, schedule the retry.

Every state change is a conditional UPDATE, so a redelivered task, two racing workers or
a late worker whose lease expired can never send one delivery twice at the same time or
overwrite a newer outcome.
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from adolf.redaction import redact
from adolf.retry import backoff_delay
from notifications import channels, texts
from notifications.models import Channel, Delivery, DeliveryStatus, Level, Notification
from notifications.outbox import enqueue
from notifications.transports import Fault, TransportError, transport_for
from notifications.transports.transport import unexpected_failure

logger = logging.getLogger(__name__)

# A pending row due this long ago was not picked up by its own task: the sweeper sends it.
SWEEP_GRACE = timedelta(seconds=60)
SWEEP_BATCH = 500


def lease() -> timedelta:
    """Return how long a "sending" row may stay claimed: past the task's hard time limit it died."""
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def claim(delivery_id: int, now: datetime) -> int | None:
    """Take a due pending delivery for sending; return its attempt number, or None if not ours."""
    claimed = Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now).update(
        status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now, last_attempt_at=now
    )
    if claimed != 1:
        return None
    return Delivery.objects.values_list("attempts", flat=True).get(pk=delivery_id)


def finish(delivery_id: int, attempt: int, **fields: object) -> bool:
    """Record an outcome only if this attempt still holds the claim."""
    return (
        Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING, attempts=attempt).update(
            claimed_at=None, **fields
        )
        == 1
    )


def deliver(delivery_id: int) -> str | None:
    """Make one attempt at a delivery; return its new status, or None if it was not due or not ours.

    A delivery to a disabled channel is held for it, without spending an attempt.
    """
    now = timezone.now()
    attempt = claim(delivery_id, now)
    if attempt is None:
        return None
    try:
        delivery = Delivery.objects.select_related("notification", "channel").get(pk=delivery_id)
        channel = delivery.channel
        if not channel.enabled:
            finish(delivery_id, attempt, status=DeliveryStatus.HELD, attempts=attempt - 1)
            return DeliveryStatus.HELD
        # In the channel's language (the text and the transport's own words), without what the channel leaves out.
        notification = texts.for_channel(delivery.notification, channel)
        with translation.override(channel.language):
            code = transport_for(channel.kind)(channel).send(notification, idempotency_key=str(delivery.key))
    except TransportError as exc:
        return _record_failure(delivery_id, attempt, exc, now)
    except Exception as exc:
        # A transport let something through untyped: classified here, and logged whole.
        logger.exception("Delivery %s failed unexpectedly", delivery_id)
        return _record_failure(delivery_id, attempt, unexpected_failure(exc), now)
    finish(
        delivery_id, attempt,
        status=DeliveryStatus.SENT, sent_at=timezone.now(), response_code=code, last_error="",
    )  # fmt: skip
    return DeliveryStatus.SENT


def _record_failure(delivery_id: int, attempt: int, error: TransportError, now: datetime) -> str | None:
    """Record a failed attempt as its fault says: retry later, fail the delivery, or disable the channel."""
    message = redact(error.message)[:2000]
    common = {"last_error": message, "response_code": error.status}
    channel_id = Delivery.objects.values_list("channel_id", flat=True).get(pk=delivery_id)
    Channel.objects.filter(pk=channel_id).update(last_error=message, last_error_at=now)
    if error.fault is Fault.DELIVERY:
        if not finish(delivery_id, attempt, status=DeliveryStatus.FAILED, **common):
            return None
        logger.warning("Delivery %s failed for good (the channel stays enabled): %s", delivery_id, message)
        return DeliveryStatus.FAILED
    if error.fault is Fault.CHANNEL:
        # Kept for the channel like everything published while it is disabled.
        with transaction.atomic():
            if not finish(delivery_id, attempt, status=DeliveryStatus.HELD, **common):
                return None
            channels.broken(channel_id, message, now)
        return DeliveryStatus.HELD
    if attempt >= settings.NOTIFICATION_MAX_ATTEMPTS:
        if not finish(delivery_id, attempt, status=DeliveryStatus.DEAD, **common):
            return None
        logger.warning("Delivery %s is dead after %s attempts: %s", delivery_id, attempt, message)
        return DeliveryStatus.DEAD
    if error.retry_after is not None:
        delay = max(0.0, error.retry_after)
    else:
        delay = backoff_delay(
            attempt, base=settings.NOTIFICATION_RETRY_BASE_SECONDS, cap=settings.NOTIFICATION_RETRY_CAP_SECONDS
        )
    if not finish(
        delivery_id, attempt, status=DeliveryStatus.PENDING, next_attempt_at=now + timedelta(seconds=delay), **common
    ):
        return None
    # Longer waits are left to the sweeper: a Celery countdown that outlives the broker's
    # visibility timeout gets the task delivered twice (adolf.checks).
    if delay < settings.TASK_RETRY_MAX_COUNTDOWN_SECONDS:
        # Rounded up: a task that ran before next_attempt_at would find nothing to claim.
        enqueue([delivery_id], countdown=math.ceil(delay))
    return DeliveryStatus.PENDING


def retry_now(deliveries: Iterable[Delivery]) -> int:
    """Make failed, dead or waiting deliveries due at once with a fresh attempt budget; return how many."""
    now = timezone.now()
    ids = [d.pk for d in deliveries if d.status in (DeliveryStatus.PENDING, DeliveryStatus.FAILED, DeliveryStatus.DEAD)]
    retried = Delivery.objects.filter(
        pk__in=ids, status__in=(DeliveryStatus.PENDING, DeliveryStatus.FAILED, DeliveryStatus.DEAD)
    ).update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, last_error="")
    transaction.on_commit(lambda: enqueue(ids))
    return retried


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Re-dispatch what no task is carrying: due pending rows, "sending" rows whose worker died, and
    deliveries held for a channel that is enabled (channels.release_stranded)."""
    now = now or timezone.now()
    unheld = channels.release_stranded(now)
    lost = "The worker sending this delivery stopped before recording the outcome"
    released: list[int] = []
    dead = 0
    stale = Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=now - lease())
    for delivery_id, attempts in stale.values_list("pk", "attempts")[:SWEEP_BATCH]:
        if attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            dead += finish(delivery_id, attempts, status=DeliveryStatus.DEAD, last_error=lost)
        elif finish(delivery_id, attempts, status=DeliveryStatus.PENDING, next_attempt_at=now, last_error=lost):
            released.append(delivery_id)
    due = Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now).filter(
        # Short waits have a task on the way (give it a grace period); long ones only have us.
        Q(next_attempt_at__lte=now - SWEEP_GRACE)
        | Q(next_attempt_at__gte=F("last_attempt_at") + timedelta(seconds=settings.TASK_RETRY_MAX_COUNTDOWN_SECONDS))
    )
    ids = list(dict.fromkeys([*released, *due.order_by("next_attempt_at").values_list("pk", flat=True)[:SWEEP_BATCH]]))
    enqueue([*ids, *unheld])
    return {"dispatched": len(ids), "released": len(released), "dead": dead, "unheld": len(unheld)}


def send_test(channel: Channel) -> TransportError | None:
    """Send a test notification through a channel right now; return the error, if any."""
    notification = Notification(
        event_type="notifications.test",
        title=_("Test notification from ADOLF"),
        message=_("If you can read this, the channel “%(name)s” works.") % {"name": channel.name},
        source_module="adolf",
        level=Level.INFO,
        created=timezone.now(),
    )
    try:
        transport_for(channel.kind)(channel).send(notification, idempotency_key=str(uuid.uuid4()))
    except TransportError as exc:
        error = redact(exc.message)[:2000]
        Channel.objects.filter(pk=channel.pk).update(last_error=error, last_error_at=timezone.now())
        return exc
    return None
