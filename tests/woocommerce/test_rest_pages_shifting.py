"""Orders trashed, created or changed while the pages are read do not push others out of sight."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from shop.woocommerce import TransientError, build_client
from tests.support.simulated_store import BEFORE_ALL, fill


def shake(store, ids):
    """Between two page reads: trash 30 orders already read, add 5, change some not yet read."""
    for order_id in ids[10:40]:
        store.trash(order_id)
    fill(store, 5)
    for order_id in ids[150:153]:
        store.set_status(order_id, "completed")


def naive_page_reading(server, after) -> list[int]:
    """Page the way most integrations do (page=1, 2, …) while the same shake happens."""
    key = server.store.rw_key
    seen, page = [], 1
    while True:
        params = {"modified_after": after, "dates_are_gmt": "true", "orderby": "id", "order": "asc", "per_page": 100}
        response = httpx.get(
            f"{server.url}/wp-json/wc/v3/orders", params={**params, "page": page}, auth=(key.key, key.secret)
        )
        batch = [order["id"] for order in response.json()]
        seen += batch
        if page == 1:
            shake(server.store, sorted(seen))
        if len(batch) < 100:
            return seen
        page += 1


def test_no_order_still_in_the_listing_is_missed_when_earlier_ones_leave_it(server):
    ids = fill(server.store, 260)
    with build_client(server.config()) as client:
        pages = client.iter_modified_orders(BEFORE_ALL)
        first = next(pages)
        shake(server.store, ids)
        rest = list(pages)
    seen = {order.id for page in [first, *rest] for order in page.orders}
    still_listed = {order.id for order in server.store.orders.values() if order.status != "trash"}
    assert still_listed - seen == set()
    assert sum(page.rewinds for page in rest) >= 1
    statuses = {order.id: order.status for page in rest for order in page.orders}
    assert [statuses[order_id] for order_id in ids[150:153]] == ["completed"] * 3


def test_plain_page_numbers_would_have_lost_orders_in_the_same_situation(server):
    fill(server.store, 260)
    seen = set(naive_page_reading(server, BEFORE_ALL.replace(tzinfo=None).isoformat()))
    still_listed = {order.id for order in server.store.orders.values() if order.status != "trash"}
    assert len(still_listed - seen) == 30


def test_orders_joining_before_the_read_position_cause_no_repeats(server):
    older = [server.store.create_order(at=BEFORE_ALL - timedelta(hours=1)).id for _ in range(20)]
    ids = fill(server.store, 150)
    with build_client(server.config()) as client:
        pages = client.iter_modified_orders(BEFORE_ALL)
        first = next(pages)
        for order_id in older:
            # Changed now, they join the listing in front of everything read so far.
            server.store.set_status(order_id, "cancelled")
        rest = list(pages)
    seen = [order.id for page in [first, *rest] for order in page.orders]
    assert seen == ids
    # They are the next poll's: changed after the first page was served.
    assert all(server.store.orders[order_id].modified >= first.store_time for order_id in older)


def test_a_store_that_ignores_offset_is_an_error_not_a_silently_short_listing(server):
    fill(server.store, 250)
    server.store.inject("ignore_offset", times=10)
    with build_client(server.config()) as client, pytest.raises(TransientError, match="ignores `offset`"):
        list(client.iter_modified_orders(BEFORE_ALL))
