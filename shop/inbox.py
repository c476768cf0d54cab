"""The webhook inbox: every accepted delivery is a row first, then processed from there.

The receiver records the row and answers; it then makes sure a drain task is on its way
(`nudge`: one task per burst, not one per delivery), and if the broker is down the
periodic sweeper (`sweep`) hands the rows to a worker when it is back, so WooCommerce
never sees a 503 it could count as a strike. A drain claims up to BATCH due rows at once
with SELECT … FOR UPDATE SKIP LOCKED and a conditional UPDATE (one worker per row at a
time), re-reads their orders with one request and records them in one transaction per
store (shop.webhooks.refetch_orders), and claims again until nothing is due. A store that
fails retries only its own rows; a worker that dies leaves a claim the sweeper releases.
"""

from __future__ import annotations

import logging
import math
import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError

from adolf.celery import app as celery_app
from adolf.logs import log_context
from adolf.redaction import redact
from adolf.retry import backoff_delay
from shop import webhooks
from shop.models import OrderEvent, Store, WebhookDelivery
from shop.woocommerce.errors import RateLimitedError, StoreError, TransientError

logger = logging.getLogger(__name__)

PROCESS_TASK = "shop.process_webhooks"
Status = WebhookDelivery.Status
# A re-fetch that keeps failing transiently is given up after this many tries: polling
# reads the order anyway.
MAX_ATTEMPTS = 5
# A row due this long ago that no task took (the broker was down) is the sweeper's.
SWEEP_GRACE = timedelta(seconds=30)
# Rows per claim: at most one listing request per store (WooCommerce serves 100 a page).
BATCH = 100
# A drain hands what is left to the next one after this long, so each task stays short.
DRAIN_SECONDS = 60.0
# The cache key that says a drain is on its way (nudge), and how long it may say so.
NUDGE_KEY = "shop:webhooks:drain-queued"
NUDGE_TTL_SECONDS = 60
OUTCOMES = ("done", "retry", "failed", "released")
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


def nudge() -> bool:
    """Make sure a task is on its way to drain the inbox; return False if the broker could not be reached.

    Deduplicated: the first delivery of a burst enqueues a drain (`enqueue(None)`) and sets
    a flag in the cache (Redis, or the embedded file cache); later ones see the flag and
    enqueue nothing. The drain clears the flag before it claims, so a row stored after its
    claim finds the flag gone and enqueues the next drain. The flag expires after
    NUDGE_TTL_SECONDS, and the sweeper takes whatever a lost task would have carried.
    """
    try:
        first = cache.add(NUDGE_KEY, 1, NUDGE_TTL_SECONDS)
    except Exception as exc:
        # The cache unreachable (Redis down): enqueue as if first; the broker decides.
        logger.warning("cache unreachable (%s); enqueuing a webhook drain without deduplication", exc)
        first = True
    if not first:
        return True
    if enqueue(None):
        return True
    _clear_nudge()  # nothing is on its way: the next delivery tries again (after the broker pause)
    return False


def _clear_nudge() -> None:
    try:
        cache.delete(NUDGE_KEY)
    except Exception as exc:
        logger.warning("cache unreachable (%s); the webhook drain flag expires by itself", exc)


def enqueue(delivery_ids: list[int] | None, *, countdown: float | None = None) -> bool:
    """Ask a worker to process these rows (None: every due row); return False if the broker could not be reached.

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
        waiting = "every waiting" if delivery_ids is None else str(len(delivery_ids))
        logger.warning("broker unreachable (%s); %s webhook delivery(ies) left to the sweeper", exc, waiting)
        return False
    return True


def claim(delivery_ids: Iterable[int] | None, now: datetime, *, limit: int = BATCH) -> list[WebhookDelivery]:
    """Take due pending rows for processing (these ids, or the oldest due ones); return those that are ours now.

    SELECT … FOR UPDATE SKIP LOCKED, then a conditional UPDATE in the same transaction:
    rows another worker is claiming are skipped, never waited for. Every row of one claim
    carries the same `claimed_at`, which fences their outcomes (_finish).
    """
    with transaction.atomic():
        due = WebhookDelivery.objects.select_for_update(skip_locked=True).filter(
            status=Status.PENDING, next_attempt_at__lte=now
        )
        if delivery_ids is not None:
            due = due.filter(pk__in=list(delivery_ids))
        rows = list(due.order_by("next_attempt_at", "pk")[:limit])
        WebhookDelivery.objects.filter(pk__in=[row.pk for row in rows]).update(
            status=Status.PROCESSING, claimed_at=now, attempts=F("attempts") + 1
        )
    for row in rows:
        row.status, row.claimed_at, row.attempts = Status.PROCESSING, now, row.attempts + 1
    return rows


def _finish(rows: list[WebhookDelivery], **fields: object) -> list[int]:
    """Record one outcome for rows of one claim, for those this claim still holds; return their ids.

    A row released by the sweeper (its worker presumed dead) and claimed again carries
    another `claimed_at` and attempt count: a late outcome of the old claim changes nothing.
    """
    if not rows:
        return []
    held = WebhookDelivery.objects.filter(
        pk__in=[row.pk for row in rows], status=Status.PROCESSING, claimed_at=rows[0].claimed_at
    )
    with transaction.atomic():
        ids = list(held.select_for_update().order_by("pk").values_list("pk", flat=True))
        WebhookDelivery.objects.filter(pk__in=ids).update(claimed_at=None, **fields)
    return ids


def process(delivery_ids: Iterable[int], *, on_events: Callable[[list[int]], None]) -> dict[str, int]:
    """Process these rows, those due and not claimed by another worker; return counts by outcome.

    `on_events(ids)` gets the ids of the new events, after their commit.
    """
    ids = list(delivery_ids)
    counts = dict.fromkeys(OUTCOMES, 0)
    while rows := claim(ids, timezone.now()):
        for outcome, count in process_rows(rows, on_events=on_events).items():
            counts[outcome] += count
    return counts


def drain(*, on_events: Callable[[list[int]], None], budget: float = DRAIN_SECONDS) -> dict[str, int]:
    """Process every due row, BATCH at a time, until none is left or `budget` seconds are spent.

    What the receiver's nudge runs. Past the budget the remaining rows are left to a new
    drain (nudged), so one task stays short whatever a burst brings.
    """
    _clear_nudge()
    counts = dict.fromkeys(OUTCOMES, 0)
    deadline = time.monotonic() + budget
    while rows := claim(None, timezone.now()):
        for outcome, count in process_rows(rows, on_events=on_events, deadline=deadline).items():
            counts[outcome] += count
        if time.monotonic() >= deadline:
            nudge()
            break
    return counts


def process_rows(
    rows: list[WebhookDelivery], *, on_events: Callable[[list[int]], None], deadline: float | None = None
) -> dict[str, int]:
    """Re-fetch the orders of claimed rows, one request and one transaction per store; return counts by outcome.

    A store that fails leaves its own rows for a retry while the other stores' rows are
    done. Rows of stores not reached before `deadline` (time.monotonic()) are handed back
    unprocessed, their attempt not counted.
    """
    counts = dict.fromkeys(OUTCOMES, 0)
    by_store: dict[int, list[WebhookDelivery]] = {}
    for row in rows:
        by_store.setdefault(row.store_id, []).append(row)
    for store_id, batch in by_store.items():
        if deadline is not None and time.monotonic() >= deadline:
            _finish(batch, status=Status.PENDING, attempts=F("attempts") - 1)
            counts["released"] += len(batch)
            continue
        with log_context(store=store_id):
            for outcome, count in _process_store(store_id, batch, on_events).items():
                counts[outcome] += count
    return counts


def _process_store(
    store_id: int, rows: list[WebhookDelivery], on_events: Callable[[list[int]], None]
) -> dict[str, int]:
    try:
        store = Store.objects.get(pk=store_id)
        event_ids = webhooks.refetch_orders(store, {row.order_id for row in rows})
    except Store.DoesNotExist:
        _finish(rows, status=Status.DONE, processed_at=timezone.now(), last_error="the store is gone")
        return {"done": len(rows)}
    except TransientError as exc:
        # Only a rate limit says how long to wait; a refused connection or a 500 does not.
        return _retry(rows, exc, exc.retry_after if isinstance(exc, RateLimitedError) else None)
    except StoreError as exc:
        # Wrong keys, a refused request: trying again cannot help, and polling reports it.
        _finish(rows, status=Status.FAILED, processed_at=timezone.now(), last_error=redact(str(exc))[:2000])
        return {"failed": len(rows)}
    except Exception as exc:
        logger.exception("webhook deliveries %s failed unexpectedly", [row.pk for row in rows])
        return _retry(rows, exc, None)
    _finish_done(rows, event_ids)
    if event_ids:
        on_events(event_ids)
    return {"done": len(rows)}


def _finish_done(rows: list[WebhookDelivery], event_ids: list[int]) -> None:
    """Mark rows done, each with the number of new events of its order (on the first row of that order)."""
    per_order = Counter(OrderEvent.objects.filter(pk__in=event_ids).values_list("order_id", flat=True))
    by_count: dict[int, list[WebhookDelivery]] = {}
    for row in rows:
        by_count.setdefault(per_order.pop(row.order_id, 0), []).append(row)
    now = timezone.now()
    for count, same in by_count.items():
        _finish(same, status=Status.DONE, processed_at=now, events_created=count, last_error="")


def _retry(rows: list[WebhookDelivery], exc: Exception, retry_after: float | None) -> dict[str, int]:
    """Put rows back for another try after a pause, or give up on those that had MAX_ATTEMPTS; return counts."""
    error = redact(f"{type(exc).__name__}: {exc}")[:2000]
    now = timezone.now()
    spent = [row for row in rows if row.attempts >= MAX_ATTEMPTS]
    _finish(spent, status=Status.FAILED, processed_at=now, last_error=error)
    cap = settings.TASK_RETRY_MAX_COUNTDOWN_SECONDS
    # One pause per attempt count, so rows that failed together retry together (one task).
    by_attempts: dict[int, list[WebhookDelivery]] = {}
    for row in rows:
        if row.attempts < MAX_ATTEMPTS:
            by_attempts.setdefault(row.attempts, []).append(row)
    by_wait: dict[int, list[WebhookDelivery]] = {}
    for attempts, same in by_attempts.items():
        wait = min(retry_after, cap) if retry_after is not None else None
        if wait is None:
            wait = backoff_delay(attempts, base=settings.SHOP_POLL_RETRY_BACKOFF, cap=cap)
        # Rounded up, and a second at least: a task that ran before next_attempt_at would
        # find nothing to claim, and a drain must not claim the rows again at once.
        by_wait.setdefault(max(1, math.ceil(wait)), []).extend(same)
    for wait, same in sorted(by_wait.items()):
        due = now + timedelta(seconds=wait)
        if ids := _finish(same, status=Status.PENDING, next_attempt_at=due, last_error=error):
            transaction.on_commit(lambda ids=ids, wait=wait: enqueue(ids, countdown=wait))
    return {"failed": len(spent), "retry": len(rows) - len(spent)}


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
