"""Operator verbs on stores, shared by the admin and the management commands."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby

from shop import set_aside
from shop.clients import client_for
from shop.detection import record_page
from shop.diagnosis import check_store
from shop.models import SetAsideOrder, Store
from shop.woocommerce.base import ConnectionReport, UnsupportedOperationError
from shop.woocommerce.errors import NotFoundError, StoreError, UnreadableOrderError
from shop.woocommerce.orders import UnreadableOrder


def check_connections(stores: Iterable[Store]) -> Iterator[tuple[Store, ConnectionReport]]:
    """Diagnose each store (shop.diagnosis.check_store); yield the store with its report."""
    for store in stores:
        yield store, check_store(store)


def find_store(key: str) -> Store | None:
    """Return the store with this slug, or this id when `key` is a number; None if there is none."""
    return Store.objects.filter(slug=key).first() or (Store.objects.filter(pk=key).first() if key.isdigit() else None)


def poll_now(stores: Iterable[Store], *, trigger: str = "admin") -> int:
    """Queue one poll per store; return how many were queued."""
    from shop.tasks import poll_orders

    count = 0
    for store in stores:
        poll_orders.delay(store_id=store.pk, trigger=trigger)
        count += 1
    return count


@dataclass
class Retried:
    """What Retry did to orders set aside: recorded now, still set aside (with why), gone from the store."""

    recorded: list[int] = field(default_factory=list)
    still: list[tuple[int | None, str]] = field(default_factory=list)
    gone: list[int] = field(default_factory=list)
    event_ids: list[int] = field(default_factory=list)


def retry_set_aside(rows: Iterable[SetAsideOrder]) -> Retried:
    """Read each order set aside again from its store and record it if it can be now.

    An order whose id was unusable cannot be read again: it stays until it changes. Raises
    nothing for one order: each outcome is in the result.
    """
    retried = Retried()
    ordered = sorted(rows, key=lambda row: row.store_id)
    for store_id, group in groupby(ordered, key=lambda row: row.store_id):
        store = Store.objects.get(pk=store_id)
        with client_for(store) as client:
            for row in group:
                _retry(store, client, row, retried)
    return retried


def _retry(store: Store, client, row: SetAsideOrder, retried: Retried) -> None:
    if row.order_id is None:
        retried.still.append((None, row.reason))
        return
    try:
        order = client.get_order(row.order_id)
    except NotFoundError:
        set_aside.forget([row])
        retried.gone.append(row.order_id)
        return
    except UnreadableOrderError as exc:
        unreadable = UnreadableOrder(row.order_id, exc.message, row.date_modified_gmt, exc.sample)
        record_page(store, [], window_start=row.window_start, unreadable=[unreadable])
        retried.still.append((row.order_id, exc.message))
        return
    except (UnsupportedOperationError, StoreError) as exc:
        retried.still.append((row.order_id, exc.message))
        return
    if order.date_modified_gmt is None:
        unreadable = UnreadableOrder(row.order_id, f"order {row.order_id}: no date_modified_gmt")
        record_page(store, [], window_start=row.window_start, unreadable=[unreadable])
        retried.still.append((row.order_id, unreadable.reason))
        return
    result = record_page(store, [order], window_start=row.window_start)
    if result.set_aside:
        retried.still.extend(result.set_aside)
    else:
        retried.recorded.append(row.order_id)
        retried.event_ids += result.event_ids
