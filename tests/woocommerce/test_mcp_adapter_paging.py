"""Orders modified in the same second, or leaving the listing while it is read, are all read from the adapter.

WooCommerce 10.9's orders-query sorts `date_modified` without a tie-breaker and pages by
number only (tests/fixtures/mcp-adapter-10.9/pagination-ties.txt): the client sorts by id
and seeks with page-number windows that overlap the page before.
"""

from __future__ import annotations

from collections import Counter

from shop.woocommerce import build_client
from simulator import SimulatedStore, StoreServer
from tests.support.simulated_store import AN_HOUR_AGO, BEFORE_ALL, fill

SAME_SECOND = 38


def same_second_store() -> StoreServer:
    store = SimulatedStore(seed=7)
    for _ in range(SAME_SECOND):
        store.create_order(status="processing", at=AN_HOUR_AGO)
    return StoreServer(store)


def test_38_orders_modified_in_the_same_second_are_all_read_at_5_a_page():
    with same_second_store() as server, build_client(server.config("mcp-adapter", per_page=5)) as client:
        pages = list(client.iter_modified_orders(BEFORE_ALL))
    read = [order.id for page in pages for order in page.orders]
    assert read == sorted(server.store.orders)
    # Every request asked by id: sorting by modification date is what loses orders.
    asked = [arguments["parameters"] for _tool, arguments in server.adapter_mcp.tool_calls]
    assert {(parameters["orderby"], parameters["order"]) for parameters in asked} == {("id", "asc")}


def test_walking_the_same_orders_by_date_modified_overlaps_and_skips_as_the_real_store_did():
    with same_second_store() as server, build_client(server.config("mcp-adapter")) as client:
        seen = []
        for page in range(1, 9):
            parameters = {"orderby": "date_modified", "order": "asc", "per_page": 5, "page": page}
            answer = client.call_tool(
                "mcp-adapter-execute-ability", {"ability_name": "woocommerce/orders-query", "parameters": parameters}
            )
            seen += [order["id"] for order in answer["data"]["orders"]]
    assert len(seen) == SAME_SECOND
    assert max(Counter(seen).values()) > 1
    assert len(set(seen)) < SAME_SECOND


def test_no_order_still_listed_is_missed_when_orders_already_read_leave_the_listing(server):
    ids = fill(server.store, 60)
    with build_client(server.config("mcp-adapter", per_page=10)) as client:
        pages = client.iter_modified_orders(BEFORE_ALL)
        first = next(pages)
        for order_id in ids[2:8]:
            server.store.trash(order_id)
        rest = list(pages)
    seen = {order.id for page in [first, *rest] for order in page.orders}
    assert set(ids[8:]) - seen == set()
    assert sum(page.rewinds for page in rest) >= 1


def test_a_listing_resumed_from_a_pages_cursor_reads_on_without_a_gap(server):
    ids = fill(server.store, 47)
    with build_client(server.config("mcp-adapter", per_page=10)) as client:
        pages = client.iter_modified_orders(BEFORE_ALL)
        before = [next(pages), next(pages)]
    with build_client(server.config("mcp-adapter", per_page=10)) as client:
        after = list(client.iter_modified_orders(BEFORE_ALL, resume=before[-1].cursor))
    assert sorted({order.id for page in [*before, *after] for order in page.orders}) == ids
    assert after[-1].last is True
