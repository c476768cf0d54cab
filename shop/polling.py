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
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from adolf import metrics
from adolf.redaction import redact
from shop import alerts, evidence, locks
from shop.clients import client_for
from shop.detection import PageResult, record_page
from shop.listing_health import Learning
from shop.models import PollRun, Store
from shop.store_clock import ClockWatch
from shop.woocommerce.base import Cursor, OrderPage
from shop.woocommerce.errors import InvalidResponseError, StoreError

logger = logging.getLogger(__name__)


class PollSkipped(Exception):
    """Another poll of the store holds its lease."""


@dataclass
class PollPlan:
    after: datetime  # ask for orders modified strictly after this
    began: datetime | None  # the store's clock when this listing began (None: not yet)
    resume: Cursor | None  # where an unfinished listing stopped


def plan(store: Store, now: datetime) -> PollPlan:
    """Decide where this poll reads from: on from an unfinished listing, or a new one."""
    if store.listing_after is not None:
        cursor = Cursor(**store.listing_cursor) if store.listing_cursor else None
        return PollPlan(after=store.listing_after, began=store.listing_began, resume=cursor)
    if store.cursor is None:
        # The first poll looks back a fixed window and no further: no flood of history.
        return PollPlan(after=now - timedelta(minutes=store.first_poll_lookback), began=None, resume=None)
    return PollPlan(after=store.cursor - timedelta(seconds=store.overlap), began=None, resume=None)


def poll_store(
    store_id: int,
    *,
    trigger: str = "beat",
    on_events: Callable[[list[int]], None] | None = None,
    on_page: Callable[[OrderPage, PollRun], None] | None = None,
    due_at: datetime | None = None,
) -> PollRun:
    """Poll a store once and return its PollRun; raise PollSkipped or whatever stopped it.

    `on_events(ids)` is called after each page commits with the ids of its new events;
    `on_page(page, run)` after each page, for progress; `due_at` is when the schedule wanted it.
    """
    claimed = locks.claim_and_load(store_id)  # raises Store.DoesNotExist for a store that is gone
    if claimed is None:
        PollRun.objects.create(
            store_id=store_id, trigger=trigger, due_at=due_at, outcome=PollRun.Outcome.SKIPPED,
            finished_at=timezone.now(),
        )  # fmt: skip
        raise PollSkipped(f"store {store_id}: another poll is running")
    store, token = claimed
    run = PollRun.objects.create(store=store, trigger=trigger, due_at=due_at, cursor_before=store.cursor)
    started = time.monotonic()
    released = False
    try:
        released = _read(store, run, token, on_events, on_page)
    except locks.LeaseLost as exc:
        _finish(run, PollRun.Outcome.FAILED, error_type="LeaseLost", error_message=str(exc))
        metrics.poll_failed("LeaseLost")
        raise
    except Exception as exc:
        # Whatever stopped the poll (the store, a time limit, the database) is on record,
        # and the store shows as failing until a poll completes.
        _failed(store, run, exc)
        metrics.poll_failed(type(exc).__name__)
        raise
    finally:
        if not released:
            locks.release(store.pk, token)
        metrics.POLL_DURATION.observe(time.monotonic() - started)
        logger.info(
            "poll store=%s outcome=%s pages=%s orders=%s events=%s duration=%.2fs",
            store.slug, run.outcome, run.pages, run.orders_seen, run.events_created, time.monotonic() - started,
        )  # fmt: skip
    return run


def _read(store: Store, run: PollRun, token: str, on_events, on_page) -> bool:
    """Read the listing and record it; return whether the lease was given up with the finished listing."""
    poll = plan(store, timezone.now())
    after, began = poll.after, poll.began
    deadline = time.monotonic() + settings.SHOP_POLL_MAX_SECONDS
    learning = Learning(store)
    clock = ClockWatch.of(store)
    newest: datetime | None = None  # the newest modification read: the cursor of a store that sends no Date
    with client_for(store) as client:
        pages = iter(client.iter_modified_orders(after, resume=poll.resume))
        first = True
        while (page := next(pages, None)) is not None:
            went_back = clock.read(page.store_time, timezone.now())
            if went_back and first and poll.resume is None:
                # Orders changed since the clock went back carry dates before the cursor: read
                # the listing again from that much further back, before recording anything.
                _clock_went_back(store, went_back, reread_from=after - went_back)
                after -= went_back
                pages = iter(client.iter_modified_orders(after))
                if (page := next(pages, None)) is None:
                    break
                clock.read(page.store_time, timezone.now())
            elif went_back and began is not None:
                # Set back while this listing was read: what changed since is dated before where
                # it began, so the cursor it leaves must be that much earlier.
                _clock_went_back(store, went_back, reread_from=began - went_back)
                began -= went_back
            if first and poll.resume is None:
                began = page.store_time  # None: the store sends no Date; see below
            first = False
            newest = max([newest, *(order.date_modified_gmt for order in page.orders)], key=_or_min)
            learning.observe(page)
            # Saved with the page: a poll that stops here (a time limit, a crash) is read on
            # from this point by the next one, not restarted.
            progress = {
                "listing_began": began, "listing_after": after, "listing_cursor": asdict(page.cursor), **clock.fields(),
            }  # fmt: skip
            result = record_page(
                store, page.orders, window_start=after, lease_token=token, progress=progress,
                unreadable=page.unreadable,
            )  # fmt: skip
            metrics.poll_orders_seen(order.status for order in page.orders)
            _count(run, result)
            if result.event_ids and on_events is not None:
                on_events(result.event_ids)
            if on_page is not None:
                on_page(page, run)
            if not page.last and time.monotonic() > deadline:
                _resolve_evidence(store, run, on_events)
                if learned := learning.fields(complete=False):
                    locks.renew(store.pk, token, **learned)
                _finish(run, PollRun.Outcome.PARTIAL, cursor_after=store.cursor)
                return False
    if began is None:
        # No Date from the store: its clock is unknown and ours may be ahead of it, so the
        # cursor moves only as far as the orders read show, never past them.
        began = max([newest, store.cursor, after], key=_or_min)
    _resolve_evidence(store, run, on_events)
    with transaction.atomic():
        # The listing is complete: the cursor moves to where it began, and the lease is
        # given up in the same statement, fenced by it (a poll that lost it writes nothing).
        locks.release(
            store.pk, token, cursor=began, last_success_at=timezone.now(), last_error="", failing_since=None,
            listing_began=None, listing_after=None, listing_cursor=None,
            **learning.fields(complete=poll.resume is None), **clock.fields(),
        )  # fmt: skip
        store.cursor = began
        if store.outage_alerted:  # as loaded with the lease; only this poll could have changed it since
            alerts.store_recovered(store)
        _finish(run, PollRun.Outcome.OK, cursor_after=began)
    return True


def _or_min(moment: datetime | None) -> datetime:
    return moment or datetime.min.replace(tzinfo=UTC)


def _clock_went_back(store: Store, by: timedelta, *, reread_from: datetime) -> None:
    logger.warning(
        "store=%s the store's clock went back by %d s; reading again from %s",
        store.slug, by.total_seconds(), reread_from.isoformat(),
    )  # fmt: skip


def _count(run: PollRun, result: PageResult) -> None:
    run.pages += 1
    run.orders_seen += result.orders
    run.events_created += len(result.event_keys)
    if result.set_aside:
        run.orders_set_aside += len(result.set_aside)
        listed = [{"order_id": order_id, "reason": reason} for order_id, reason in result.set_aside]
        run.set_aside = (run.set_aside + listed)[:20]


def _resolve_evidence(store: Store, run: PollRun, on_events) -> None:
    """Read the evidence of orders waiting for it (shop.evidence), a batch a poll; none waiting, no query."""
    resolution = evidence.resolve(store, on_events=on_events)
    run.events_created += len(resolution.event_ids)
    # Read by shop.tasks.poll_orders: more due than one batch holds are worked through by a follow-up.
    run.evidence_due = resolution.due


def _failed(store: Store, run: PollRun, exc: Exception) -> None:
    message = f"{type(exc).__name__}: {exc}" if not isinstance(exc, StoreError) else str(exc)
    if isinstance(exc, InvalidResponseError) and exc.sample:
        message += f"\nsample: {exc.sample}"
    message = redact(message)
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
