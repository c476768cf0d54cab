"""What a message tells of an order: customer, payment and shipping, city, note, items with their variation."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from shop.texts import snapshot_of
from shop.woocommerce.orders import LineItem, parse_order

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "woocommerce"


def test_the_documented_order_yields_every_detail_a_message_names():
    order = parse_order(json.loads((FIXTURES / "order.json").read_text()))

    assert (order.customer_name, order.email, order.phone) == ("John Doe", "john.doe@example.com", "(555) 555-5555")
    assert (order.payment_method, order.payment_method_title) == ("bacs", "Direct Bank Transfer")
    assert (order.shipping_method, order.city) == ("Flat Rate", "San Francisco")
    # The variation's name carries "&ndash;" as WooCommerce sends it; its attributes lack display keys.
    assert order.line_items == (
        LineItem("Woo Single #1", 2, "", Decimal("6.00")),
        LineItem("Ship Your Idea – Color: Black, Size: M Test", 1, "color: black, size: M Test", Decimal("12.00")),
    )


def test_html_escaped_names_are_decoded_where_orders_are_parsed():
    size = {"key": "pa_size", "value": "l", "display_key": "Size", "display_value": "L &amp; tall"}
    raw = {
        "id": 9,
        "status": "processing",
        "billing": {"first_name": "O&#039;Brien", "last_name": "&amp; Sons", "city": "Saint&nbsp;Petersburg"},
        "payment_method_title": "Card &ndash; Visa",
        "customer_note": "Ring &lt;twice&gt;",
        "shipping_lines": [{"method_title": "Courier &amp; lift"}],
        "line_items": [
            {
                "name": "Hoodie &laquo;Ohana&raquo; &ndash; blue",
                "quantity": 2,
                "meta_data": [size, {"key": "_reduced_stock", "value": "2"}],
            }
        ],
    }

    order = parse_order(raw)

    assert order.customer_name == "O'Brien & Sons"
    assert order.payment_method_title == "Card – Visa"
    assert order.customer_note == "Ring <twice>"
    assert order.shipping_method == "Courier & lift"
    assert order.city == "Saint\xa0Petersburg"  # the billing city: this order ships nowhere
    assert order.line_items == (LineItem("Hoodie «Ohana» – blue", 2, "Size: L & tall"),)


def test_the_snapshot_keeps_the_details_additively_and_caps_the_items():
    raw = {"id": 5, "status": "processing", "total": "10", "currency": "USD", "payment_method": "cod",
           "line_items": [{"name": f"Pin {n}", "quantity": 1} for n in range(60)]}  # fmt: skip

    snapshot = snapshot_of(parse_order(raw))

    assert snapshot["items"] == 60  # the count, as before
    assert len(snapshot["line_items"]) == 50
    assert snapshot["line_items"][0] == {"name": "Pin 0", "quantity": 1, "variation": "", "total": "0"}
    assert (snapshot["payment_method_id"], snapshot["shipping_method"], snapshot["city"]) == ("cod", "", "")


def test_a_thin_mcp_adapter_order_keeps_what_it_has():
    order = parse_order({"id": 7, "status": "processing", "line_items": [{"name": "Mug", "quantity": "3"}]})

    assert order.line_items == (LineItem("Mug", 3, ""),)
    assert (order.customer_name, order.email, order.city) == ("", "", "")
