"""Turn a page of orders into known state and order events, in bulk and in one transaction.

Polling and webhooks both come through `record_page`, so a change seen by both, or by
two overlapping polls, yields its event once: every event has a dedupe key made of the
store, the order, the event type and the occurrence (shop.rules), and the key is unique.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Protocol

from django.db import DataError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from shop import locks, set_aside, statuses
from shop.models import AwaitingEvidence, OrderEvent, OrderState, Store
from shop.rules import Detected, Known, Seen, detect_events
from shop.texts import snapshot_of
from shop.woocommerce.coverage import can_read_evidence
from shop.woocommerce.orders import UnreadableOrder


class OrderVersion(Protocol):
    """What detection reads of one order as the store sent it."""

    id: int
    number: str
    status: str
    currency: str
    total: Decimal
    refunded_total: Decimal
    customer_name: str
    date_created_gmt: datetime | None
    date_modified_gmt: datetime
    date_paid_gmt: datetime | None
    date_completed_gmt: datetime | None


@dataclass
class PageResult:
    orders: int
    event_keys: list[str]
    # Ids of the new events that are to be published (notify on).
    event_ids: list[int] = field(default_factory=list)
    # (order id or None, reason) of orders set aside, and ids of orders waiting for evidence.
    set_aside: list[tuple[int | None, str]] = field(default_factory=list)
    awaiting: list[int] = field(default_factory=list)

    def add(self, other: PageResult) -> None:
        self.orders += other.orders
        self.event_keys += other.event_keys
        self.event_ids += other.event_ids
        self.set_aside += other.set_aside
        self.awaiting += other.awaiting


STATE_FIELDS = ["number", "status", "date_modified_gmt", "total", "currency", "customer_name", "refunded_total"]
# What the database (or its driver) refuses in a value the checks let through: a byte, an encoding.
REFUSED = (DataError, InvalidOperation, UnicodeEncodeError)


def record_page(
    store: Store,
    orders: Iterable[OrderVersion],
    *,
    window_start: datetime,
    source: str = OrderEvent.Source.POLL,
    lease_token: str | None = None,
    progress: dict | None = None,
    unreadable: Sequence[UnreadableOrder] = (),
) -> PageResult:
    """Record one page: update known state and create the events it means; return what it did.

    A constant number of queries whatever the page size. Writers of one store are
    serialised on its row: a poll by renewing its lease (the write is fenced: it happens
    only while the poll still holds the lease, and saves the poll's `progress` with it),
    any other writer (a webhook) by locking the row, so two writers never judge the same
    order against the same stale state.

    Orders that cannot be recorded — `unreadable` ones the parser gave up on, and any the
    database refuses — are set aside (shop.set_aside) and the rest of the page recorded.
    The events of an order never seen before that need evidence of being recent wait for
    it (shop.evidence) while its state is recorded.
    """
    newest: dict[int, OrderVersion] = {}
    for order in orders:
        # A page read while orders change may hold an order twice; the newest version wins.
        current = newest.get(order.id)
        if current is None or order.date_modified_gmt > current.date_modified_gmt:
            newest[order.id] = order
    if not newest and not unreadable:
        return PageResult(0, [])
    context = _Context(store, window_start, source, lease_token)
    try:
        return _record(context, list(newest.values()), list(unreadable), progress)
    except REFUSED:
        # Something the parser did not foresee: find the order(s) one at a time, so the
        # others are recorded. Progress is saved last, with the orders set aside.
        store.refresh_from_db(fields=["orders_set_aside", "evidence_waiting", "unknown_statuses"])
        result, refused = PageResult(0, []), list(unreadable)
        for order in newest.values():
            try:
                result.add(_record(context, [order], [], None))
            except REFUSED as exc:
                refused.append(_refused(order, exc))
        result.add(_record(context, [], refused, progress))
        return result


@dataclass(frozen=True)
class _Context:
    store: Store
    window_start: datetime
    source: str
    lease_token: str | None


def _record(context: _Context, orders: list[OrderVersion], unreadable: list[UnreadableOrder], progress) -> PageResult:
    store, window_start = context.store, context.window_start
    unreadable, problems = list(unreadable), set()
    now = timezone.now()
    meanings = store.status_meanings or {}
    # Whether the store's API can show when a change happened (shop.evidence); if not, today's rule.
    can_wait = can_read_evidence(store.api, has_rest_keys=bool(store.rest_consumer_key))
    with transaction.atomic():
        if context.lease_token is not None:
            locks.renew(store.pk, context.lease_token, **(progress or {}))
        else:
            list(Store.objects.select_for_update().filter(pk=store.pk).values_list("pk"))
        ids = [order.id for order in orders]
        locked = OrderState.objects.select_for_update().filter(store=store, order_id__in=ids) if ids else []
        states = {state.order_id: state for state in locked}
        last_event_status = _last_event_status(store, [oid for oid in ids if oid not in states])
        aside = set_aside.pending(store, ids)

        events: dict[str, OrderEvent] = {}
        changed: list[OrderState] = []
        held: list[AwaitingEvidence] = []
        for order in orders:
            if why := set_aside.problem(order):
                unreadable.append(UnreadableOrder(order.id, why, order.date_modified_gmt))
                problems.add(order.id)
                continue
            state = states.get(order.id)
            if state is not None and order.date_modified_gmt < state.date_modified_gmt:
                continue  # an older version than we know (a late webhook body, a lagging replica)
            known = _known(state, last_event_status.get(order.id))
            # An order set aside earlier is judged as news from when it was first sent.
            window = min(window_start, aside[order.id].window_start) if order.id in aside else window_start
            detected = detect_events(known, _seen(order), window_start=window, meanings=meanings)
            doubtful = [event for event in detected if event.evidence and can_wait]
            snapshot = snapshot_of(order)
            for event in detected:
                if event not in doubtful:
                    new = new_event(store, order.id, order.number, event, order.date_modified_gmt, snapshot,
                                    context.source, now)  # fmt: skip
                    events[new.dedupe_key] = new
            if doubtful:
                held.append(_held(store, order, doubtful, window, snapshot, context.source))
            if state is None or _differs(state, order):
                # An order re-read unchanged (the overlap re-reads every poll) costs no write.
                changed.append(_state(store, order, now))

        recorded = set(OrderEvent.objects.filter(dedupe_key__in=events).values_list("dedupe_key", flat=True))
        new_events = [event for key, event in events.items() if key not in recorded]
        fresh = insert_events(new_events) if new_events else []
        if changed:
            OrderState.objects.bulk_create(
                changed,
                update_conflicts=True,
                unique_fields=["store", "order_id"],
                update_fields=[*STATE_FIELDS, "last_seen"],
            )
        if held:
            _hold(store, held)
        if unreadable:
            set_aside.record(store, unreadable, window_start=window_start)
        if aside.keys() - problems:
            set_aside.resolve(store, aside.keys() - problems)
        _note_unknown_statuses(store, {order.status for order in orders}, meanings, now)
    to_publish = [event.pk for event in fresh if event.published_at is None]
    return PageResult(
        len(orders) - len(problems),
        [event.dedupe_key for event in fresh],
        to_publish,
        [(order.order_id, order.reason) for order in unreadable],
        [row.order_id for row in held],
    )


def new_event(
    store: Store,
    order_id: int,
    number: str,
    detected: Detected,
    occurred_at: datetime,
    snapshot: dict,
    source: str,
    now: datetime,
) -> OrderEvent:
    """Return the (unsaved) OrderEvent of a detected change, keyed by store, order, type and occurrence."""
    notify = detected.event_type in store.event_types
    return OrderEvent(
        store=store,
        order_id=order_id,
        order_number=number,
        event_type=detected.event_type,
        from_status=detected.from_status or "",
        to_status=detected.to_status,
        occurred_at=occurred_at,
        source=source,
        snapshot=snapshot,
        notify=notify,
        dedupe_key=f"{store.pk}:{order_id}:{detected.event_type}:{detected.occurrence}",
        # An event nobody is to hear of leaves the outbox at once.
        published_at=None if notify else now,
    )


def _held(
    store: Store, order: OrderVersion, doubtful: list[Detected], window: datetime, snapshot: dict, source: str
) -> AwaitingEvidence:
    return AwaitingEvidence(
        store=store,
        order_id=order.id,
        order_number=order.number,
        status=order.status,
        occurred_at=order.date_modified_gmt,
        window_start=window,
        source=source,
        events=[asdict(event) for event in doubtful],
        snapshot=snapshot,
    )


def _hold(store: Store, held: list[AwaitingEvidence]) -> None:
    """Keep these orders' events until their evidence is read (shop.evidence); count them on the store."""
    waiting = set(
        AwaitingEvidence.objects.filter(store=store, order_id__in=[row.order_id for row in held]).values_list(
            "order_id", flat=True
        )
    )
    AwaitingEvidence.objects.bulk_create(
        held,
        update_conflicts=True,
        unique_fields=["store", "order_id"],
        update_fields=["order_number", "status", "occurred_at", "window_start", "source", "events", "snapshot"],
    )
    added = len({row.order_id for row in held} - waiting)
    if added:
        Store.objects.filter(pk=store.pk).update(evidence_waiting=F("evidence_waiting") + added)
        store.evidence_waiting += added


def _note_unknown_statuses(store: Store, seen: set[str], meanings: dict, now: datetime) -> None:
    """Remember statuses no rule knows, for the store's page; a write only when one is new."""
    new = {status for status in seen if statuses.is_unknown(status, meanings)} - set(store.unknown_statuses)
    if not new:
        return
    current = Store.objects.filter(pk=store.pk).values_list("unknown_statuses", flat=True).get()
    merged = {**current, **{status: now.isoformat() for status in sorted(new) if status not in current}}
    Store.objects.filter(pk=store.pk).update(unknown_statuses=merged)
    store.unknown_statuses = merged


def _refused(order: OrderVersion, exc: Exception) -> UnreadableOrder:
    said = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return UnreadableOrder(
        order.id, f"the database refused it: {said}"[:500], order.date_modified_gmt, repr(snapshot_of(order))[:500]
    )


def insert_events(events: list[OrderEvent]) -> list[OrderEvent]:
    """Insert the events and return them with their ids (RETURNING: no query to find them)."""
    try:
        with transaction.atomic():
            return OrderEvent.objects.bulk_create(events)
    except IntegrityError:
        # A webhook task recorded one of these changes since we looked: keep what it wrote.
        # Its events may come back with ours; publishing is idempotent, so that is harmless.
        OrderEvent.objects.bulk_create(events, ignore_conflicts=True)
        return list(OrderEvent.objects.filter(dedupe_key__in=[event.dedupe_key for event in events]))


def _last_event_status(store: Store, order_ids: list[int]) -> dict[int, str]:
    """The status each order had at its latest recorded event: memory that outlives pruned state."""
    if not order_ids:
        return {}
    rows = (
        OrderEvent.objects.filter(store=store, order_id__in=order_ids)
        .order_by("detected_at", "pk")
        .values_list("order_id", "to_status")
    )
    return dict(rows)  # later rows overwrite earlier ones: the latest wins


def _known(state: OrderState | None, last_event_status: str | None) -> Known | None:
    if state is not None:
        return Known(state.status, state.refunded_total)
    if last_event_status is not None:
        return Known(last_event_status)
    return None


def _seen(order: OrderVersion) -> Seen:
    return Seen(
        status=order.status,
        refunded_total=order.refunded_total,
        date_modified_gmt=order.date_modified_gmt,
        date_paid_gmt=order.date_paid_gmt,
        date_created_gmt=order.date_created_gmt,
        date_completed_gmt=getattr(order, "date_completed_gmt", None),
    )


def _differs(state: OrderState, order: OrderVersion) -> bool:
    """Whether the order as read differs from its known state in anything the state keeps."""
    return (
        state.status != order.status
        or state.date_modified_gmt != order.date_modified_gmt
        or state.refunded_total != order.refunded_total
        or state.total != order.total
        or state.number != order.number
        or state.currency != order.currency
        or state.customer_name != order.customer_name[:200]
    )


def _state(store: Store, order: OrderVersion, now: datetime) -> OrderState:
    return OrderState(
        store=store,
        order_id=order.id,
        number=order.number,
        status=order.status,
        date_modified_gmt=order.date_modified_gmt,
        total=order.total,
        currency=order.currency,
        customer_name=order.customer_name[:200],
        refunded_total=order.refunded_total,
        last_seen=now,
    )
