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
from django.db import connections, router
from django.db.models import Q
from django.db.models.functions import Now
from django.db.models.sql import UpdateQuery

from shop.models import Store


def _lease() -> timedelta:
    return timedelta(seconds=settings.SHOP_POLL_LEASE_SECONDS)


class LeaseLost(Exception):
    """Another poll holds the store's lease now; this one must stop writing."""


def _free(store_id: int) -> Q:
    # The database's clock, not this worker's: workers' clocks may disagree by more than a lease.
    return Q(pk=store_id) & (Q(poll_lease_until__isnull=True) | Q(poll_lease_until__lt=Now()))


def claim(store_id: int) -> str | None:
    """Take the store's lease and return its token, or None while another poll holds it."""
    token = uuid.uuid4().hex
    claimed = Store.objects.filter(_free(store_id)).update(poll_lease_token=token, poll_lease_until=Now() + _lease())
    return token if claimed == 1 else None


def claim_and_load(store_id: int) -> tuple[Store, str] | None:
    """Take the store's lease and return the store as it is now with the token; None if it is held.

    One statement (UPDATE … RETURNING, which PostgreSQL and SQLite ≥ 3.35 both have): a
    poll of a store that has not changed costs as few round trips as it can. Raise
    Store.DoesNotExist for a store that is gone.
    """
    token = uuid.uuid4().hex
    query = UpdateQuery(Store)
    query.add_update_values({"poll_lease_token": token, "poll_lease_until": Now() + _lease()})
    query.add_q(_free(store_id))
    sql, params = query.get_compiler(using=router.db_for_write(Store)).as_sql()
    connection = connections[router.db_for_write(Store)]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in Store._meta.concrete_fields)
    rows = list(Store.objects.raw(f"{sql} RETURNING {columns}", params))
    if rows:
        return rows[0], token
    if not Store.objects.filter(pk=store_id).exists():
        raise Store.DoesNotExist(f"store {store_id} no longer exists")
    return None


def renew(store_id: int, token: str, **progress: object) -> None:
    """Extend the lease (and save `progress` fields with it); raise LeaseLost if it is no longer ours.

    Call inside the page's transaction: the row lock it takes also serialises other writers.
    """
    updated = Store.objects.filter(pk=store_id, poll_lease_token=token).update(
        poll_lease_until=Now() + _lease(), **progress
    )
    if not updated:
        raise LeaseLost(f"store {store_id}: the poll lease passed to another poll")


def release(store_id: int, token: str, **fields: object) -> None:
    """Give the lease up, saving `fields` with it; raise LeaseLost if another poll holds it now (fenced)."""
    updated = Store.objects.filter(pk=store_id, poll_lease_token=token).update(
        poll_lease_token="", poll_lease_until=None, **fields
    )
    if fields and not updated:
        raise LeaseLost(f"store {store_id}: the poll lease passed to another poll")
