"""Turn a page of orders into known state and order events, in bulk and in one transaction.

Polling and webhooks both come through `record_page`, so a change seen by both, or by
two overlapping polls, yields its event once: every event has a dedupe key made of the
store, the order, the event type and the occurrence (shop.rules), and the key is unique.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from django.db import IntegrityError, transaction
from django.utils import timezone

from shop import locks
from shop.models import OrderEvent, OrderState, Store
from shop.rules import Known, Seen, detect_events
from shop.texts import snapshot_of


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


@dataclass
class PageResult:
    orders: int
    event_keys: list[str]
    # Ids of the new events that are to be published (notify on).
    event_ids: list[int] = field(default_factory=list)


STATE_FIELDS = ["number", "status", "date_modified_gmt", "total", "currency", "customer_name", "refunded_total"]


def record_page(
    store: Store,
    orders: Iterable[OrderVersion],
    *,
    window_start: datetime,
    source: str = OrderEvent.Source.POLL,
    lease_token: str | None = None,
    progress: dict | None = None,
) -> PageResult:
    """Record one page: update known state and create the events it means; return the new events' keys.

    A constant number of queries whatever the page size. Writers of one store are
    serialised on its row: a poll by renewing its lease (the write is fenced: it happens
    only while the poll still holds the lease, and saves the poll's `progress` with it),
    any other writer (a webhook) by locking the row, so two writers never judge the same
    order against the same stale state.
    """
    newest: dict[int, OrderVersion] = {}
    for order in orders:
        # A page read while orders change may hold an order twice; the newest version wins.
        current = newest.get(order.id)
        if current is None or order.date_modified_gmt > current.date_modified_gmt:
            newest[order.id] = order
    if not newest:
        return PageResult(0, [])

    now = timezone.now()
    with transaction.atomic():
        if lease_token is not None:
            locks.renew(store.pk, lease_token, **(progress or {}))
        else:
            list(Store.objects.select_for_update().filter(pk=store.pk).values_list("pk"))
        states = {
            state.order_id: state
            for state in OrderState.objects.select_for_update().filter(store=store, order_id__in=newest)
        }
        last_event_status = _last_event_status(store, [oid for oid in newest if oid not in states])

        events: dict[str, OrderEvent] = {}
        changed: list[OrderState] = []
        for order in newest.values():
            state = states.get(order.id)
            if state is not None and order.date_modified_gmt < state.date_modified_gmt:
                continue  # an older version than we know (a late webhook body, a lagging replica)
            known = _known(state, last_event_status.get(order.id))
            for detected in detect_events(known, _seen(order), window_start=window_start):
                notify = detected.event_type in store.event_types
                key = f"{store.pk}:{order.id}:{detected.event_type}:{detected.occurrence}"
                events[key] = OrderEvent(
                    store=store,
                    order_id=order.id,
                    order_number=order.number,
                    event_type=detected.event_type,
                    from_status=detected.from_status or "",
                    to_status=detected.to_status,
                    occurred_at=order.date_modified_gmt,
                    source=source,
                    snapshot=snapshot_of(order),
                    notify=notify,
                    dedupe_key=key,
                    # An event nobody is to hear of leaves the outbox at once.
                    published_at=None if notify else now,
                )
            if state is None or _differs(state, order):
                # An order re-read unchanged (the overlap re-reads every poll) costs no write.
                changed.append(_state(store, order, now))

        recorded = set(OrderEvent.objects.filter(dedupe_key__in=events).values_list("dedupe_key", flat=True))
        new_events = [event for key, event in events.items() if key not in recorded]
        fresh = _insert_events(new_events) if new_events else []
        if changed:
            OrderState.objects.bulk_create(
                changed,
                update_conflicts=True,
                unique_fields=["store", "order_id"],
                update_fields=[*STATE_FIELDS, "last_seen"],
            )
    to_publish = [event.pk for event in fresh if event.published_at is None]
    return PageResult(len(newest), [event.dedupe_key for event in fresh], to_publish)


def _insert_events(events: list[OrderEvent]) -> list[OrderEvent]:
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
