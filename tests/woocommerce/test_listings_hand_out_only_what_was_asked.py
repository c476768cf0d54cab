"""A listing hands out the orders modified after the time asked for, whatever the store sends, and one
unreadable order is handed on to be set aside instead of failing its page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shop.woocommerce import build_client
from tests.support.simulated_store import AN_HOUR_AGO, BEFORE_ALL, fill


@pytest.mark.parametrize("api", ["rest", "mcp-legacy", "mcp-adapter"])
def test_orders_modified_before_the_time_asked_for_are_left_out_and_counted(server, api):
    old = fill(server.store, 30)
    changed = server.store.create_order(status="processing").id
    server.store.ignores_modified_after = True

    with build_client(server.config(api)) as client:
        pages = list(client.iter_modified_orders(AN_HOUR_AGO + timedelta(minutes=30)))

    assert [order.id for page in pages for order in page.orders] == [changed]
    assert sum(page.outside_filter for page in pages) == len(old)


@pytest.mark.parametrize("api", ["rest", "mcp-legacy", "mcp-adapter"])
def test_an_order_that_cannot_be_read_is_handed_on_and_the_rest_of_the_page_listed(server, api):
    ids = fill(server.store, 5)
    server.store.poison(ids[2], at=AN_HOUR_AGO + timedelta(seconds=2), total="not money")

    with build_client(server.config(api)) as client:
        pages = list(client.iter_modified_orders(BEFORE_ALL))

    assert [order.id for page in pages for order in page.orders] == ids[:2] + ids[3:]
    (unreadable,) = [order for page in pages for order in page.unreadable]
    assert (unreadable.order_id, unreadable.reason) == (ids[2], f"order {ids[2]}: total 'not money' is not money")


def test_thin_adapter_orders_are_completed_over_rest_only_for_the_orders_handed_out(server):
    fill(server.store, 30)
    changed = server.store.create_order(status="processing").id
    server.store.ignores_modified_after = True
    rest = server.store.read_key

    with build_client(server.config("mcp-adapter", rest_key=rest.key, rest_secret=rest.secret)) as client:
        pages = list(client.iter_modified_orders(AN_HOUR_AGO + timedelta(minutes=30)))

    assert [order.id for page in pages for order in page.orders] == [changed]
    completed = [path for path in server.requests if path == "/wp-json/wc/v3/orders"]
    assert len(completed) == 1  # one include= request, for the one order handed out
