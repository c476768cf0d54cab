"""Operator verbs on stores, shared by the admin and the management commands."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from shop.clients import client_for
from shop.models import Store
from shop.woocommerce.base import ConnectionReport


def check_connections(stores: Iterable[Store]) -> Iterator[tuple[Store, ConnectionReport]]:
    """Test each store's connection; yield the store with its report."""
    for store in stores:
        with client_for(store) as client:
            yield store, client.test_connection()


def poll_now(stores: Iterable[Store], *, trigger: str = "admin") -> int:
    """Queue one poll per store; return how many were queued."""
    from shop.tasks import poll_orders

    count = 0
    for store in stores:
        poll_orders.delay(store_id=store.pk, trigger=trigger)
        count += 1
    return count
