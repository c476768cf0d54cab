"""A per-store poll lease: at most one poll of a store holds it, and only the holder writes.

A lease (token + expiry on the store row) is claimed with a conditional UPDATE that must
change exactly one row, renewed as each page commits, and checked inside every page's
transaction (fencing): a poll that stalled past its lease and lost it to another can no
longer write. A worker killed mid-poll leaves a lease that simply runs out.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Now

from shop.models import Store


def _lease() -> timedelta:
    return timedelta(seconds=settings.SHOP_POLL_LEASE_SECONDS)


class LeaseLost(Exception):
    """Another poll holds the store's lease now; this one must stop writing."""


def claim(store_id: int) -> str | None:
    """Take the store's lease and return its token, or None while another poll holds it."""
    token = uuid.uuid4().hex
    # The database's clock, not this worker's: workers' clocks may disagree by more than a lease.
    claimed = Store.objects.filter(
        Q(pk=store_id) & (Q(poll_lease_until__isnull=True) | Q(poll_lease_until__lt=Now()))
    ).update(poll_lease_token=token, poll_lease_until=Now() + _lease())
    return token if claimed == 1 else None


def renew(store_id: int, token: str, **progress: object) -> None:
    """Extend the lease (and save `progress` fields with it); raise LeaseLost if it is no longer ours.

    Call inside the page's transaction: the row lock it takes also serialises other writers.
    """
    updated = Store.objects.filter(pk=store_id, poll_lease_token=token).update(
        poll_lease_until=Now() + _lease(), **progress
    )
    if not updated:
        raise LeaseLost(f"store {store_id}: the poll lease passed to another poll")


def release(store_id: int, token: str) -> None:
    Store.objects.filter(pk=store_id, poll_lease_token=token).update(poll_lease_token="", poll_lease_until=None)
