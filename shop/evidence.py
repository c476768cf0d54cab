"""Tell touched from changed: read when a change of an order never seen before really happened.

On HPOS stores opening an order in wp-admin bumps its modified date (woocommerce/woocommerce#41226),
so an order cancelled half a year ago and viewed today is listed as changed today. Its
events (shop.rules.Detected.evidence) wait in AwaitingEvidence, its state already recorded,
until the store's own records date the change: the refunds' `date_created`
(`/orders/<id>/refunds`), the status-change note (`/orders/<id>/notes`,
shop.woocommerce.notes). Recent → the events are recorded and published; old → dropped.

Evidence is read only for those orders, `SHOP_EVIDENCE_CONCURRENCY` requests at a time and
`SHOP_EVIDENCE_BATCH` orders a run, by the poll and by the follow-up task
`shop.resolve_evidence`, so a bulk touch of thousands is worked through at a bounded rate.
A read that fails leaves the order waiting (nothing announced, nothing lost) for a later
run, with backoff; a store whose API cannot show evidence at all (a key without access to
notes, after SHOP_EVIDENCE_MAX_ATTEMPTS failures) falls back to announcing, as a store
whose API offers no evidence does from the start (shop.woocommerce.coverage).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from adolf.retry import backoff_delay
from shop.clients import rest_client_for
from shop.detection import insert_events, new_event
from shop.models import AwaitingEvidence, OrderEvent, Store
from shop.rules import NOTES_EVIDENCE, REFUNDS_EVIDENCE, Detected
from shop.woocommerce.errors import NotFoundError, StoreError
from shop.woocommerce.notes import status_changed_at
from shop.woocommerce.rest import RestClient

logger = logging.getLogger(__name__)

# A run holds the orders it reads this long; another run skips them meanwhile.
CLAIM = timedelta(minutes=5)
RETRY_CAP = 3600  # seconds between attempts at most


@dataclass
class Outcome:
    """What reading one order's evidence gave: when each kind dates the change, or why there is no answer."""

    when: dict[str, datetime | None] = field(default_factory=dict)
    error: str = ""  # could not read it now: try again later
    unavailable: str = ""  # this store does not show it: announce, as without evidence
    gone: bool = False  # the order no longer exists: nothing to announce


@dataclass
class Resolution:
    """One run: orders decided, events recorded, orders still waiting after it."""

    decided: int = 0
    event_ids: list[int] = field(default_factory=list)
    failed: int = 0
    due: int = 0  # waiting and due now (more than one run's batch)


def resolve(
    store: Store,
    *,
    order_ids: Iterable[int] | None = None,
    on_events: Callable[[list[int]], None] | None = None,
) -> Resolution:
    """Read the evidence of up to SHOP_EVIDENCE_BATCH due orders of the store (or `order_ids`); record what it shows.

    No query for a store with nothing waiting. `on_events(ids)` gets the new events' ids
    after they are committed.
    """
    if not store.evidence_waiting:
        return Resolution()
    rows = _claim(store, order_ids)
    if not rows:
        return Resolution()
    client = rest_client_for(store)
    if client is None:
        # The store's REST keys were removed since: its API shows no evidence any more.
        outcomes = [Outcome(unavailable="the store's API shows no order notes or refunds") for _ in rows]
    else:
        with client, ThreadPoolExecutor(max_workers=settings.SHOP_EVIDENCE_CONCURRENCY) as pool:
            outcomes = list(pool.map(partial(_read, client), rows))
    resolution = _apply(store, list(zip(rows, outcomes, strict=True)))
    if resolution.event_ids and on_events is not None:
        on_events(resolution.event_ids)
    resolution.due = AwaitingEvidence.objects.filter(store=store, next_attempt_at__lte=timezone.now()).count()
    return resolution


def _claim(store: Store, order_ids: Iterable[int] | None) -> list[AwaitingEvidence]:
    now = timezone.now()
    with transaction.atomic():
        due = AwaitingEvidence.objects.select_for_update(skip_locked=True).filter(store=store)
        if order_ids is not None:
            due = due.filter(order_id__in=list(order_ids))
        else:
            due = due.filter(next_attempt_at__lte=now)
        rows = list(due.order_by("next_attempt_at", "pk")[: settings.SHOP_EVIDENCE_BATCH])
        AwaitingEvidence.objects.filter(pk__in=[row.pk for row in rows]).update(next_attempt_at=now + CLAIM)
    return rows


def _read(client: RestClient, row: AwaitingEvidence) -> Outcome:
    """Read what dates this order's change: its refunds, its notes (in a pool thread: HTTP only, no database)."""
    kinds = {event["evidence"] for event in row.events}
    outcome = Outcome()
    try:
        if REFUNDS_EVIDENCE in kinds:
            dates = [refund.date_created_gmt for refund in client.list_refunds(row.order_id) if refund.date_created_gmt]
            outcome.when[REFUNDS_EVIDENCE] = max(dates) if dates else None
        if NOTES_EVIDENCE in kinds or outcome.when.get(REFUNDS_EVIDENCE, 0) is None:
            # A refunded status with no refund to date it (set by hand): its note does.
            changed = status_changed_at(client.order_notes(row.order_id))
            outcome.when[NOTES_EVIDENCE] = changed
            if outcome.when.get(REFUNDS_EVIDENCE, 0) is None:
                outcome.when[REFUNDS_EVIDENCE] = changed
    except NotFoundError as exc:
        if exc.code.endswith("_invalid_id"):
            outcome.gone = True  # deleted for good since
        else:
            outcome.unavailable = exc.message  # no such route: a store without the notes endpoint
    except StoreError as exc:
        if row.attempts + 1 >= settings.SHOP_EVIDENCE_MAX_ATTEMPTS and not exc.retryable:
            outcome.unavailable = exc.message
        else:
            outcome.error = str(exc)
    return outcome


def _apply(store: Store, results: list[tuple[AwaitingEvidence, Outcome]]) -> Resolution:
    """Record the recent changes' events, drop the old ones, and reschedule the failures, in one transaction."""
    resolution = Resolution()
    now = timezone.now()
    events: dict[str, OrderEvent] = {}
    done: list[int] = []
    with transaction.atomic():
        list(Store.objects.select_for_update().filter(pk=store.pk).values_list("pk"))
        for row, outcome in results:
            if outcome.error:
                resolution.failed += 1
                delay = backoff_delay(row.attempts + 1, base=settings.SHOP_POLL_RETRY_BACKOFF, cap=RETRY_CAP)
                AwaitingEvidence.objects.filter(pk=row.pk).update(
                    attempts=F("attempts") + 1,
                    last_error=outcome.error[:2000],
                    next_attempt_at=now + timedelta(seconds=delay),
                )
                logger.info("evidence store=%s order=%s waits: %s", store.slug, row.order_id, outcome.error)
                continue
            done.append(row.pk)
            resolution.decided += 1
            for data in row.events:
                detected = Detected(**data)
                if not outcome.gone and _recent(detected, row, outcome):
                    event = new_event(store, row.order_id, row.order_number, detected, row.occurred_at, row.snapshot,
                                      row.source, now)  # fmt: skip
                    events[event.dedupe_key] = event
            if outcome.unavailable:
                logger.warning("evidence store=%s order=%s: %s", store.slug, row.order_id, outcome.unavailable)
        recorded = set(OrderEvent.objects.filter(dedupe_key__in=events).values_list("dedupe_key", flat=True))
        fresh = insert_events([event for key, event in events.items() if key not in recorded])
        if done:
            deleted, _ = AwaitingEvidence.objects.filter(pk__in=done).delete()
            Store.objects.filter(pk=store.pk).update(evidence_waiting=Greatest(F("evidence_waiting") - deleted, 0))
            store.evidence_waiting = max(0, store.evidence_waiting - deleted)
    resolution.event_ids = [event.pk for event in fresh if event.published_at is None]
    return resolution


def _recent(detected: Detected, row: AwaitingEvidence, outcome: Outcome) -> bool:
    if outcome.unavailable:
        return True  # no evidence to be had: announce, as before evidence was read
    when = outcome.when.get(detected.evidence or "")
    return when is not None and when > row.window_start
