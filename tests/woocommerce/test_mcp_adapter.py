"""The MCP client reads orders from WooCommerce 10.9+'s MCP adapter with an application password."""

from __future__ import annotations

import pytest

from shop.woocommerce import AuthenticationError, UnsupportedOperationError, build_client
from tests.support.simulated_store import BEFORE_ALL, fill


def test_it_pages_through_orders_query_using_its_total_pages(server):
    ids = fill(server.store, 205)
    with build_client(server.config("mcp-adapter")) as client:
        pages = list(client.iter_modified_orders(BEFORE_ALL))
    assert sorted(order.id for page in pages for order in page.orders) == ids
    assert [page.total_pages for page in pages] == [3, 3, 3]
    assert [page.last for page in pages] == [False, False, True]
    # The adapter's orders are thin: no customer, no refunds, but what polling needs.
    order = pages[0].orders[0]
    assert order.customer_name == ""
    assert order.date_modified_gmt is not None
    assert order.status == "processing"


def test_a_session_the_server_dropped_is_reinitialised(server):
    fill(server.store, 120)
    with build_client(server.config("mcp-adapter")) as client:
        pages = client.iter_modified_orders(BEFORE_ALL)
        next(pages)
        server.adapter_mcp.expire_sessions()
        assert len(list(pages)) == 1
    assert server.adapter_mcp.calls.count("initialize") == 2


def test_a_wrong_application_password_is_an_authentication_error(server):
    config = server.config("mcp-adapter", secret="xxxx xxxx")
    with build_client(config) as client, pytest.raises(AuthenticationError, match="invalid application password"):
        list(client.iter_modified_orders(BEFORE_ALL))


def test_reading_one_order_says_to_use_rest_keys(server):
    with build_client(server.config("mcp-adapter")) as client, pytest.raises(UnsupportedOperationError, match="REST"):
        client.get_order(1)
