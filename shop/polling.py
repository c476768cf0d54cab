"""Poll one store: read every order changed since the cursor and record what changed.

The cursor is the store's own clock (HTTP Date) when the listing began, so nothing
depends on our clock or on the order the store sorts by; each poll re-reads `overlap`
seconds before it, and dedupe keys make re-reading harmless. Pages commit one by one,
but the cursor moves only after the last page: a poll that dies half-way is simply
read again. A fenced lease (shop.locks) keeps two polls of one store apart.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from adolf import metrics
from shop import alerts, locks
from shop.clients import client_for
from shop.detection import record_page
from shop.models import OrderEvent, PollRun, Store
from shop.woocommerce.base import OrderPage
from shop.woocommerce.errors import InvalidResponseError, StoreError

logger = logging.getLogger(__name__)


class PollSkipped(Exception):
    """Another poll of the store holds its lease."""


@dataclass
class PollPlan:
    after: datetime  # ask for orders modified strictly after this
    window_start: datetime  # the earliest change this poll can see (see shop.rules)
    first: bool


def plan(store: Store, now: datetime) -> PollPlan:
    """Decide where this poll reads from."""
    if store.cursor is None:
        # The first poll looks back a fixed window and no further: no flood of history.
        after = now - timedelta(minutes=store.first_poll_lookback)
        return PollPlan(after=after, window_start=after, first=True)
    after = store.cursor - timedelta(seconds=store.overlap)
    return PollPlan(after=after, window_start=after, first=False)


def poll_store(
    store_id: int,
    *,
    trigger: str = "beat",
    on_events: Callable[[list[int]], None] | None = None,
    on_page: Callable[[OrderPage, PollRun], None] | None = None,
) -> PollRun:
    """Poll a store once and return its PollRun; raise PollSkipped or the StoreError that stopped it.

    `on_events(ids)` is called after each page commits with the ids of its new events;
    `on_page(page, run)` after each page, for progress.
    """
    store = Store.objects.get(pk=store_id)
    token = locks.claim(store.pk)
    if token is None:
        PollRun.objects.create(
            store=store, trigger=trigger, outcome=PollRun.Outcome.SKIPPED, finished_at=timezone.now()
        )
        raise PollSkipped(f"store {store.slug}: another poll is running")
    run = PollRun.objects.create(store=store, trigger=trigger, cursor_before=store.cursor)
    started = time.monotonic()
    try:
        _read(store, run, token, on_events, on_page)
    except StoreError as exc:
        _failed(store, run, token, exc)
        metrics.poll_failed(type(exc).__name__)
        raise
    except locks.LeaseLost as exc:
        _finish(run, PollRun.Outcome.FAILED, error_type="LeaseLost", error_message=str(exc))
        metrics.poll_failed("LeaseLost")
        raise
    finally:
        locks.release(store.pk, token)
        metrics.POLL_DURATION.observe(time.monotonic() - started)
        logger.info(
            "poll store=%s outcome=%s pages=%s orders=%s events=%s duration=%.2fs",
            store.slug, run.outcome, run.pages, run.orders_seen, run.events_created, time.monotonic() - started,
        )  # fmt: skip
    return run


def _read(store: Store, run: PollRun, token: str, on_events, on_page) -> None:
    poll = plan(store, timezone.now())
    listing_began: datetime | None = None
    with client_for(store) as client:
        for page in client.iter_modified_orders(poll.after):
            listing_began = listing_began or page.store_time or timezone.now()
            result = record_page(store, page.orders, window_start=poll.window_start, lease_token=token)
            metrics.poll_orders_seen(order.status for order in page.orders)
            run.pages += 1
            run.orders_seen += result.orders
            run.events_created += len(result.event_keys)
            if result.event_keys and on_events is not None:
                on_events(_ids(result.event_keys))
            if on_page is not None:
                on_page(page, run)
    with transaction.atomic():
        locks.renew(store.pk, token)  # fencing: only the lease holder moves the cursor
        Store.objects.filter(pk=store.pk).update(
            cursor=listing_began, last_success_at=timezone.now(), last_error="", failing_since=None
        )
        store.cursor = listing_began
        alerts.store_recovered(store)
        _finish(run, PollRun.Outcome.OK, cursor_after=listing_began)


def _failed(store: Store, run: PollRun, token: str, exc: StoreError) -> None:
    message = str(exc)
    if isinstance(exc, InvalidResponseError) and exc.sample:
        message += f"\nsample: {exc.sample}"
    with transaction.atomic():
        Store.objects.filter(pk=store.pk, failing_since__isnull=True).update(failing_since=timezone.now())
        Store.objects.filter(pk=store.pk).update(last_error=message[:2000])
        store.refresh_from_db(fields=["failing_since", "last_error", "outage_alerted"])
        alerts.store_failing(store, exc)
        _finish(run, PollRun.Outcome.FAILED, error_type=type(exc).__name__, error_message=message)


def _finish(run: PollRun, outcome: str, **fields) -> None:
    run.outcome = outcome
    run.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(run, name, value)
    run.save()


def _ids(keys: list[str]) -> list[int]:
    return list(OrderEvent.objects.filter(dedupe_key__in=keys, published_at__isnull=True).values_list("pk", flat=True))
