"""Operator verbs on stores, shared by the admin and the management commands."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from shop.diagnosis import check_store
from shop.models import Store
from shop.woocommerce.base import ConnectionReport


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
