"""The webhook inbox: every accepted delivery is a row first, then processed from there.

The receiver records the row and answers; it then asks for the row to be processed at
once (`enqueue`), and if the broker is down the periodic sweeper (`sweep`) hands the row
to a worker when it is back, so WooCommerce never sees a 503 it could count as a strike.
Rows are claimed in batches with SELECT … FOR UPDATE SKIP LOCKED and a conditional UPDATE
(one worker per row at a time); a worker that dies leaves a claim the sweeper releases.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError

from adolf.celery import app as celery_app
from adolf.logs import log_context
from adolf.redaction import redact
from adolf.retry import backoff_delay
from shop import webhooks
from shop.models import Store, WebhookDelivery
from shop.woocommerce.errors import StoreError, TransientError

logger = logging.getLogger(__name__)

PROCESS_TASK = "shop.process_webhooks"
Status = WebhookDelivery.Status
# A re-fetch that keeps failing transiently is given up after this many tries: polling
# reads the order anyway.
MAX_ATTEMPTS = 5
# A row due this long ago that no task took (the broker was down) is the sweeper's.
SWEEP_GRACE = timedelta(seconds=30)
# Rows per processing task.
BATCH = 100
# After a failed publish this process leaves new rows to the sweeper for a while: reaching a
# broker that is down takes seconds (the Redis client's own reconnect backoff), and the
# receiver should answer the store at once.
BROKER_DOWN_PAUSE_SECONDS = 30.0
_broker_down_until = 0.0


def lease() -> timedelta:
    """How long a row may stay claimed: past the task's hard time limit its worker died."""
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def receive(store: Store, accepted: webhooks.Accepted) -> WebhookDelivery:
    """Record a verified delivery naming an order (committed before the receiver answers)."""
    return WebhookDelivery.objects.create(
        store=store, order_id=accepted.order_id, topic=accepted.topic, webhook_id=accepted.webhook_id
    )


def enqueue(delivery_ids: list[int], *, countdown: float | None = None) -> bool:
    """Ask a worker to process these rows; return False if the broker could not be reached.

    By the task's name (shop.tasks stands above this module). Nothing is lost when this
    fails: the rows wait for the sweeper. For BROKER_DOWN_PAUSE_SECONDS after a failure
    this process does not try again.
    """
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        return False
    try:
        celery_app.signature(PROCESS_TASK, args=(delivery_ids,)).apply_async(countdown=countdown, retry=False)
    except OperationalError as exc:
        _broker_down_until = time.monotonic() + BROKER_DOWN_PAUSE_SECONDS
        logger.warning("broker unreachable (%s); %d webhook delivery(ies) left to the sweeper", exc, len(delivery_ids))
        return False
    return True


def claim(delivery_ids: Iterable[int], now: datetime) -> list[WebhookDelivery]:
    """Take the due pending rows among these for processing; return those that are ours now."""
    with transaction.atomic():
        rows = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(pk__in=list(delivery_ids), status=Status.PENDING, next_attempt_at__lte=now)
            .order_by("pk")
        )
        WebhookDelivery.objects.filter(pk__in=[row.pk for row in rows]).update(
            status=Status.PROCESSING, claimed_at=now, attempts=F("attempts") + 1
        )
    for row in rows:
        row.status, row.claimed_at, row.attempts = Status.PROCESSING, now, row.attempts + 1
    return rows


def _finish(row: WebhookDelivery, **fields: object) -> bool:
    """Record an outcome only if this attempt still holds the claim."""
    return bool(
        WebhookDelivery.objects.filter(pk=row.pk, status=Status.PROCESSING, attempts=row.attempts).update(
            claimed_at=None, **fields
        )
    )


def process(delivery_ids: Iterable[int], *, on_events: Callable[[list[int]], None]) -> dict[str, int]:
    """Re-fetch the order of each due row and record it as a poll would; return counts by outcome.

    `on_events(ids)` gets the ids of the new events of each row, after its commit.
    """
    counts = {"done": 0, "retry": 0, "failed": 0}
    for row in claim(delivery_ids, timezone.now()):
        with log_context(store=row.store_id, order=row.order_id):
            counts[_process_one(row, on_events)] += 1
    return counts


def _process_one(row: WebhookDelivery, on_events: Callable[[list[int]], None]) -> str:
    try:
        event_ids = webhooks.refetch(row.store_id, row.order_id, row.topic)
    except Store.DoesNotExist:
        _finish(row, status=Status.DONE, processed_at=timezone.now(), last_error="the store is gone")
        return "done"
    except TransientError as exc:
        return _retry(row, exc, exc.retry_after)
    except StoreError as exc:
        # Wrong keys, a refused request: trying again cannot help, and polling reports it.
        _finish(row, status=Status.FAILED, processed_at=timezone.now(), last_error=redact(str(exc))[:2000])
        return "failed"
    except Exception as exc:
        logger.exception("webhook delivery %s failed unexpectedly", row.pk)
        return _retry(row, exc, None)
    _finish(row, status=Status.DONE, processed_at=timezone.now(), events_created=len(event_ids), last_error="")
    if event_ids:
        on_events(event_ids)
    return "done"


def _retry(row: WebhookDelivery, exc: Exception, retry_after: float | None) -> str:
    """Put a row back for another try after a pause, or give up after MAX_ATTEMPTS."""
    error = redact(f"{type(exc).__name__}: {exc}")[:2000]
    if row.attempts >= MAX_ATTEMPTS:
        _finish(row, status=Status.FAILED, processed_at=timezone.now(), last_error=error)
        return "failed"
    cap = settings.TASK_RETRY_MAX_COUNTDOWN_SECONDS
    wait = min(retry_after, cap) if retry_after is not None else None
    if wait is None:
        wait = backoff_delay(row.attempts, base=settings.SHOP_POLL_RETRY_BACKOFF, cap=cap)
    due = timezone.now() + timedelta(seconds=wait)
    if _finish(row, status=Status.PENDING, next_attempt_at=due, last_error=error):
        # Rounded up: a task that ran before next_attempt_at would find nothing to claim.
        transaction.on_commit(lambda: enqueue([row.pk], countdown=math.ceil(wait)))
    return "retry"


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Hand rows no task is carrying to workers: due pending rows, and claims whose worker died."""
    now = now or timezone.now()
    stale = WebhookDelivery.objects.filter(status=Status.PROCESSING, claimed_at__lt=now - lease())
    released = [
        pk
        for pk, attempts in stale.values_list("pk", "attempts")[: BATCH * 10]
        # Conditional, like every outcome: a late worker that still finishes wins.
        if WebhookDelivery.objects.filter(pk=pk, status=Status.PROCESSING, attempts=attempts).update(
            status=Status.PENDING, claimed_at=None, next_attempt_at=now
        )
    ]
    waiting = WebhookDelivery.objects.filter(status=Status.PENDING, next_attempt_at__lte=now - SWEEP_GRACE)
    oldest_first = waiting.order_by("next_attempt_at").values_list("pk", flat=True)[: BATCH * 10]
    due = list(dict.fromkeys([*released, *oldest_first]))
    for start in range(0, len(due), BATCH):
        if not enqueue(due[start : start + BATCH]):
            break
    return {"dispatched": len(due), "released": len(released)}


def prune(now: datetime) -> int:
    """Forget processed rows older than the poll runs' retention; return how many."""
    cutoff = now - timedelta(days=settings.SHOP_POLL_RUNS_RETENTION_DAYS)
    deleted, _ = WebhookDelivery.objects.filter(
        status__in=[Status.DONE, Status.FAILED], received_at__lt=cutoff
    ).delete()
    return deleted
