"""The shop's Celery tasks: thin wrappers over polling, publishing and retention."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from kombu.exceptions import OperationalError

from adolf import metrics
from adolf.logs import log_context
from adolf.retry import backoff_delay
from shop import drift, evidence, inbox, polling, schedules, webhook_status
from shop.models import OrderEvent, OrderState, PollRun, Store
from shop.publishing import publish_events, unpublished_event_ids
from shop.woocommerce.errors import RateLimitedError, TransientError

logger = logging.getLogger(__name__)

# The seed's error table: transient trouble retried 3 times with backoff capped at 300 s
# (TASK_RETRY_MAX_COUNTDOWN_SECONDS); a rate limit waits Retry-After (60 s when the store
# does not say), within the same cap.
POLL_MAX_RETRIES = 3
RATE_LIMIT_DEFAULT_WAIT = 60
# Seconds between two batches of evidence reads of one store.
EVIDENCE_PAUSE = 1


def backoff(retries: int) -> float:
    """Return the seconds to wait before retrying a poll or re-fetch that failed transiently `retries` times."""
    cap = settings.TASK_RETRY_MAX_COUNTDOWN_SECONDS
    return backoff_delay(retries + 1, base=settings.SHOP_POLL_RETRY_BACKOFF, cap=cap)


@shared_task(name="shop.poll_orders", bind=True, max_retries=POLL_MAX_RETRIES)
def poll_orders(self, store_id: int | None = None, trigger: str = "beat", due: str | None = None) -> dict:
    """Poll one store, or (without an id) fan out one poll per enabled store.

    `due` (ISO 8601) is when the schedule wanted this poll; the lag from it to the poll's
    start is recorded (`shop_poll_lag_seconds`, the poll run's `due_at`).
    """
    if not settings.SHOP_POLLING_ENABLED:
        return {"skipped": "SHOP_POLLING_ENABLED is off"}
    if store_id is None:
        ids = list(Store.objects.filter(enabled=True).values_list("pk", flat=True))
        for pk in ids:
            poll_orders.delay(store_id=pk, trigger=trigger)
        return {"stores": ids}
    due_at = datetime.fromisoformat(due) if due and self.request.retries == 0 else None
    if due_at is not None:
        metrics.POLL_LAG.observe(max(0.0, (timezone.now() - due_at).total_seconds()))
    try:
        with log_context(store=store_id):
            run = polling.poll_store(store_id, trigger=trigger, on_events=enqueue_notifications, due_at=due_at)
    except Store.DoesNotExist:
        return {"skipped": f"store {store_id} no longer exists"}
    except polling.PollSkipped as exc:
        return {"skipped": str(exc)}
    except RateLimitedError as exc:
        wait = exc.retry_after if exc.retry_after is not None else RATE_LIMIT_DEFAULT_WAIT
        raise self.retry(exc=exc, countdown=min(wait, settings.TASK_RETRY_MAX_COUNTDOWN_SECONDS)) from None
    except TransientError as exc:
        raise self.retry(exc=exc, countdown=backoff(self.request.retries)) from None
    if run.outcome == PollRun.Outcome.PARTIAL:
        # A long backlog: read on at once rather than at the next beat tick.
        poll_orders.delay(store_id=store_id, trigger=trigger)
    if run.evidence_due:
        # More orders wait for evidence than a poll reads: a follow-up works through them.
        resolve_evidence.delay(store_id=store_id)
    return {
        "poll_run": run.pk, "outcome": run.outcome, "pages": run.pages, "orders": run.orders_seen,
        "events": run.events_created,
    }  # fmt: skip


@shared_task(name="shop.dispatch_polls", ignore_result=True)
def dispatch_polls() -> int:
    """Enqueue a poll of every store due soon (run by beat every SHOP_DISPATCH_SECONDS); return how many."""
    if not settings.SHOP_POLLING_ENABLED:
        return 0
    return len(schedules.dispatch(send_poll))


def send_poll(poll: schedules.DuePoll) -> None:
    """Publish one scheduled poll: held until it is due, dropped unrun once the next one is due."""
    poll_orders.apply_async(
        kwargs={"store_id": poll.store_id, "trigger": "beat", "due": poll.due.isoformat()},
        eta=poll.due if poll.due > timezone.now() else None,
        expires=poll.expires,
    )


@shared_task(name="shop.repair_schedules")
def repair_schedules() -> list[str]:
    """Repair stores' schedules that drifted from their stores (every SHOP_SCHEDULE_REPAIR_SECONDS)."""
    return [f"{found.kind}: {found.subject}: {found.detail}" for found in drift.repair(send_poll)]


@shared_task(name="shop.resolve_evidence")
def resolve_evidence(store_id: int) -> dict:
    """Read the evidence of a batch of orders waiting for it; queue the next batch while more are due.

    Batches follow one another EVIDENCE_PAUSE seconds apart: a bulk touch of thousands of
    orders is read at a bounded rate. Orders whose reads failed wait for their retry time,
    and the store's polls pick them up then.
    """
    try:
        store = Store.objects.get(pk=store_id)
    except Store.DoesNotExist:
        return {"skipped": "the store is gone"}
    with log_context(store=store_id):
        resolution = evidence.resolve(store, on_events=enqueue_notifications)
    if resolution.due and resolution.decided:
        resolve_evidence.apply_async(kwargs={"store_id": store_id}, countdown=EVIDENCE_PAUSE)
    return {"decided": resolution.decided, "events": len(resolution.event_ids), "failed": resolution.failed,
            "due": resolution.due}  # fmt: skip


@shared_task(name=inbox.PROCESS_TASK, ignore_result=True)
def process_webhooks(delivery_ids: list[int] | None = None) -> dict[str, int]:
    """Re-fetch the orders of received webhook deliveries and record them as a poll would; publish their events.

    Without ids (the receiver's nudge), every due delivery is drained. The new events are
    published here, after their commit, rather than by a shop.send_notification of their
    own: a webhook is about latency, and the hop through the queue behind other tasks was
    most of it. A publish cut short leaves events that shop.publish_pending_events sends.
    """
    if delivery_ids is None:
        return inbox.drain(on_events=publish_notifications)
    return inbox.process(delivery_ids, on_events=publish_notifications)


@shared_task(name="shop.sweep_webhooks")
def sweep_webhooks() -> dict[str, int]:
    """Hand webhook deliveries no task carries (the broker was down, a worker died) to the workers."""
    return inbox.sweep()


@shared_task(name="shop.check_webhooks")
def check_webhooks() -> dict[str, int]:
    """Read back every store's webhooks from WooCommerce; alert once on each one found disabled."""
    return webhook_status.check_all()


def enqueue_notifications(event_ids: list[int]) -> None:
    """Hand committed events to shop.send_notification: one message per page, not per event."""
    transaction.on_commit(lambda: _send(event_ids))


def publish_notifications(event_ids: list[int]) -> None:
    """Publish committed events as notifications in this process, once their transaction commits."""
    transaction.on_commit(lambda: publish_events(event_ids))


def _send(event_ids: list[int]) -> None:
    try:
        send_notification.delay(event_ids=event_ids)
    except OperationalError:
        # The events are committed; shop.publish_pending_events sends them when the broker is back.
        logger.warning("broker unreachable; %d event(s) left for the sweeper", len(event_ids))


@shared_task(name="shop.send_notification")
def send_notification(event_ids: list[int]) -> int:
    """Publish order events as notifications (each once, whatever is redelivered)."""
    return publish_events(event_ids)


@shared_task(name="shop.publish_pending_events")
def publish_pending_events() -> int:
    """Re-enqueue events a crash left unpublished: committed work eventually happens."""
    batches = unpublished_event_ids()
    for batch in batches:
        send_notification.delay(event_ids=batch)
    return sum(len(batch) for batch in batches)


def prunable_states(now):
    """Known states unchanged for the retention period whose memory the events keep.

    After pruning, detection falls back to the status of the order's latest event. So a
    state may go only if it has no event (nothing to misremember) or its status is that
    event's: an order cancelled, then reopened (no event), must keep its state, or a second
    cancellation would look like no change.
    """
    latest_event_status = (
        OrderEvent.objects.filter(store=OuterRef("store"), order_id=OuterRef("order_id"))
        .order_by("-detected_at", "-pk")
        .values("to_status")[:1]
    )
    return (
        OrderState.objects.filter(last_seen__lt=now - timedelta(days=settings.SHOP_KNOWN_ORDERS_RETENTION_DAYS))
        .annotate(event_status=Subquery(latest_event_status))
        .filter(Q(event_status__isnull=True) | Q(event_status=F("status")))
        .values("pk")
    )


@shared_task(name="shop.prune_history")
def prune_history() -> dict:
    """Forget unchanged orders, old poll runs and webhook deliveries, and old events' order data; events stay.

    An event's snapshot (customer name, e-mail, phone, note, items) is kept as long as
    notifications are (NOTIFICATION_RETENTION_DAYS); the event itself stays, as the memory
    of the order's status that detection falls back on.
    """
    now = timezone.now()
    states, _ = OrderState.objects.filter(pk__in=prunable_states(now)).delete()
    runs, _ = PollRun.objects.filter(
        started_at__lt=now - timedelta(days=settings.SHOP_POLL_RUNS_RETENTION_DAYS)
    ).delete()
    snapshots = (
        OrderEvent.objects.filter(detected_at__lt=now - timedelta(days=settings.NOTIFICATION_RETENTION_DAYS))
        .exclude(snapshot={})
        .update(snapshot={})
    )
    return {
        "order_states": states, "poll_runs": runs, "event_snapshots": snapshots,
        "webhook_deliveries": inbox.prune(now),
    }  # fmt: skip
