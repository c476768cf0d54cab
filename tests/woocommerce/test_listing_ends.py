"""The end of a listing is confirmed, never taken from one signal: capped pages, missing or wrong counts.

woocommerce/woocommerce#54035: plugins serve at most N orders a page whatever `per_page`
asks; proxies strip X-WP-Total (Automattic/jetpack#40181). Every order is read, and a store
that serves what it is asked pays no extra request.
"""

from __future__ import annotations

import pytest

from shop.woocommerce import InvalidResponseError, build_client
from tests.support.simulated_store import BEFORE_ALL, fill


def read(server, api: str = "rest", **options):
    server.requests.clear()
    with build_client(server.config(api, **options)) as client:
        return list(client.iter_modified_orders(BEFORE_ALL))


def listed(pages) -> list[int]:
    return [order.id for page in pages for order in page.orders]


def listing_requests(server) -> list[str]:
    return [path for path in server.requests if path.endswith(("/orders", "/mcp", "-default-server"))]


def test_a_store_serving_ten_a_page_whatever_per_page_asks_is_read_whole(server):
    ids = fill(server.store, 25)
    server.store.page_cap = 10

    pages = read(server)

    assert listed(pages) == ids
    assert [page.last for page in pages] == [False, False, True]
    assert pages[-1].page_cap == 10  # two pages agree: a cap, not a response cut short
    assert {page.total_orders for page in pages} == {25}


def test_a_page_shorter_than_the_store_counts_is_read_on_from_where_it_ended(server):
    ids = fill(server.store, 150)
    server.store.inject("short_page", drop=10, times=2)

    pages = read(server)

    assert listed(pages) == ids
    assert pages[-1].last is True


def test_without_count_headers_a_capped_store_is_read_until_a_page_shows_the_end(server):
    ids = fill(server.store, 25)
    server.store.page_cap = 10
    server.store.inject("no_totals", times=10)

    pages = read(server)

    assert listed(pages) == ids
    assert {page.total_orders for page in pages} == {None}
    # 10, 10 (2 re-read), and 9: fewer than the store has served a page, so the end.
    assert len(listing_requests(server)) == 3


def test_a_count_that_disagrees_with_what_was_served_is_not_trusted(server):
    ids = fill(server.store, 150)
    server.store.inject("wrong_totals", times=10)

    pages = read(server)

    assert listed(pages) == ids


def test_a_count_of_more_orders_than_the_store_serves_ends_where_its_orders_end(server):
    ids = fill(server.store, 25)
    server.store.inject("high_totals", times=10)

    pages = read(server)

    assert listed(pages) == ids
    assert [page.last for page in pages] == [False, True]
    assert {page.total_orders for page in pages} == {1000}
    # The second read re-reads a few orders and brings nothing new: the store has no more, whatever it counts.
    assert len(listing_requests(server)) == 2
    assert pages[-1].page_cap is None


def test_a_store_that_counts_orders_it_does_not_serve_is_a_clear_error(server):
    fill(server.store, 25)
    server.store.inject("short_page", drop=100, times=1)

    with pytest.raises(InvalidResponseError, match="counts 25 orders but serves none at offset 0"):
        read(server)


@pytest.mark.parametrize(("orders", "requests"), [(0, 1), (37, 1), (100, 1), (250, 3)])
def test_a_store_that_serves_what_it_is_asked_costs_what_it_did(server, orders, requests):
    ids = fill(server.store, orders)

    pages = read(server)

    assert listed(pages) == ids
    assert len(listing_requests(server)) == requests
    assert {page.page_cap for page in pages} == {None}


def test_the_legacy_mcp_endpoint_counts_nothing_so_a_short_first_page_is_confirmed_by_one_more_call(server):
    ids = fill(server.store, 37)

    pages = read(server, "mcp-legacy")

    assert listed(pages) == ids
    assert [len(page.orders) for page in pages] == [37, 0]
    assert [name for name, _ in server.legacy_mcp.tool_calls] == ["woocommerce-orders-list"] * 2


def test_a_capped_legacy_mcp_store_is_read_whole(server):
    ids = fill(server.store, 25)
    server.store.page_cap = 10

    pages = read(server, "mcp-legacy")

    assert listed(pages) == ids
    assert len(server.legacy_mcp.tool_calls) == 3


def test_a_capped_mcp_adapter_store_is_asked_for_pages_it_serves_after_the_first(server):
    ids = fill(server.store, 25)
    server.store.page_cap = 10

    pages = read(server, "mcp-adapter")

    assert listed(pages) == ids
    sizes = [arguments["parameters"]["per_page"] for _, arguments in server.adapter_mcp.tool_calls]
    assert sizes[0] == 100
    assert max(sizes[1:]) <= 10
