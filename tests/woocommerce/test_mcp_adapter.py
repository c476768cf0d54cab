"""The MCP client reads WooCommerce 10.9's thin orders from the MCP adapter with an application password."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shop.woocommerce import AuthenticationError, UnsupportedOperationError, build_client
from shop.woocommerce.orders import LineItem
from shop.woocommerce.paging import Window, numbered_window
from tests.support.simulated_store import BEFORE_ALL, fill


def test_it_reads_every_order_past_the_first_hundred_by_id(server):
    ids = fill(server.store, 205)
    with build_client(server.config("mcp-adapter")) as client:
        pages = list(client.iter_modified_orders(BEFORE_ALL))
    assert [order.id for page in pages for order in page.orders] == ids
    assert pages[0].total_pages == 3
    assert [page.last for page in pages][-1] is True


def test_the_query_asks_by_id_for_line_items_with_a_time_that_says_utc(server):
    fill(server.store, 1)
    with build_client(server.config("mcp-adapter")) as client:
        list(client.iter_modified_orders(BEFORE_ALL))
    (tool, arguments), *_ = server.adapter_mcp.tool_calls
    assert (tool, arguments["ability_name"]) == ("mcp-adapter-execute-ability", "woocommerce/orders-query")
    assert arguments["parameters"] == {
        "modified_after": BEFORE_ALL.replace(tzinfo=None).isoformat() + "Z",
        "orderby": "id",
        "order": "asc",
        "per_page": 100,
        "page": 1,
        "include_line_items": True,
    }


def test_thin_orders_give_what_they_have_the_e_mail_at_the_top_level_and_line_items(server):
    order = server.store.create_order(status="processing", total="51.00", items=2, email="grace@example.test")
    server.store.refund(order.id, "5.00")
    with build_client(server.config("mcp-adapter")) as client:
        (page,) = client.iter_modified_orders(BEFORE_ALL)
    (read,) = page.orders
    assert (read.id, read.number, read.status, read.total) == (order.id, str(order.id), "processing", Decimal("51.00"))
    assert read.email == "grace@example.test"
    assert read.line_items == (
        LineItem("Product #1", 1, "", Decimal("25.5")),
        LineItem("Product #2", 1, "", Decimal("25.5")),
    )
    # What the adapter does not send: customer details, payment date, refunds.
    assert (read.customer_name, read.phone, read.customer_note, read.date_paid_gmt) == ("", "", "", None)
    assert read.refunds == ()


def test_a_wrong_application_password_is_an_authentication_error(server):
    config = server.config("mcp-adapter", secret="xxxx xxxx")
    with build_client(config) as client, pytest.raises(AuthenticationError, match="invalid application password"):
        list(client.iter_modified_orders(BEFORE_ALL))


def test_reading_one_order_without_rest_keys_says_to_add_them(server):
    with build_client(server.config("mcp-adapter")) as client, pytest.raises(UnsupportedOperationError, match="REST"):
        client.get_order(1)


def test_at_5_a_page_windows_that_cannot_re_read_a_row_are_confirmed_and_no_order_is_lost(server):
    ids = fill(server.store, 120)
    window, starts_at_end = Window(0, 5), []
    while window.offset < 120:
        end = window.offset + window.limit
        window = numbered_window(end, window.offset, 5, 4)
        starts_at_end.append(window.offset == end)
    assert any(starts_at_end)  # this listing meets such windows
    with build_client(server.config("mcp-adapter", per_page=5)) as client:
        pages = client.iter_modified_orders(BEFORE_ALL)
        first = [next(pages) for _ in range(6)]
        for order_id in ids[20:26]:
            server.store.trash(order_id)
        rest = list(pages)
    seen = [order.id for page in [*first, *rest] for order in page.orders]
    assert sorted(set(seen)) == sorted(seen)
    assert set(ids) - {*ids[20:26]} - set(seen) == set()
