"""Orders are parsed tolerantly from what real stores send, and strictly where it matters."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from shop.woocommerce.orders import LineItem, OrderParseError, Refund, parse_order, parse_orders, parse_refund_record

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "woocommerce"


def fixture(name: str):
    return json.loads((FIXTURES / name).read_text())


def test_the_documented_order_parses_into_typed_fields():
    order = parse_order(fixture("order.json"))
    assert order.id == 727
    assert order.number == "727"
    assert order.status == "processing"
    assert order.currency == "USD"
    assert order.total == Decimal("29.35")
    assert order.date_created_gmt == datetime(2017, 3, 22, 19, 28, 2, tzinfo=UTC)
    assert order.date_modified_gmt == datetime(2017, 3, 22, 19, 28, 8, tzinfo=UTC)
    assert order.date_paid_gmt == datetime(2017, 3, 22, 19, 28, 8, tzinfo=UTC)
    assert order.customer_name == "John Doe"
    assert order.email == "john.doe@example.com"
    assert order.phone == "(555) 555-5555"
    assert order.payment_method_title == "Direct Bank Transfer"
    assert order.customer_note == ""
    assert order.line_items_count == 2
    assert order.refunds == ()
    assert order.raw["order_key"] == "wc_order_58d2d042d1d"


def test_a_thin_order_of_the_mcp_adapter_gives_what_it_has():
    answer = json.loads((FIXTURES.parent / "mcp-adapter-10.9" / "20-orders-query-id24-line-items.json").read_text())
    order = parse_order(answer["data"]["orders"][0])
    assert (order.id, order.number, order.status, order.total) == (24, "24", "processing", Decimal("56.00"))
    assert order.email == "grace@example.test"  # top-level billing_email: there is no billing object
    assert order.line_items == (
        LineItem("Loopback2 T-Shirt", 2, "", Decimal(48)),
        LineItem("Loopback2 Sticker Pack", 1, "", Decimal(3)),
    )
    assert order.line_items_count == 2
    assert (order.customer_name, order.phone, order.date_paid_gmt, order.refunds) == ("", "", None, ())
    assert order.date_modified_gmt == datetime(2026, 11, 29, 14, 58, 19, tzinfo=UTC)


def test_refunds_keyed_refund_as_in_the_old_docs_parse_like_reason():
    orders = parse_orders(fixture("order-list.json"))
    completed = orders[1]
    assert completed.refunds == (Refund(726, "", Decimal("-10.00")), Refund(724, "", Decimal("-9.00")))
    assert completed.refunded_total == Decimal("19.00")
    assert completed.date_paid_gmt is None
    modern = parse_order({"id": 5, "status": "completed", "refunds": [{"id": 9, "reason": "broken", "total": "-1.5"}]})
    assert modern.refunds == (Refund(9, "broken", Decimal("-1.5")),)


def test_unknown_statuses_extra_fields_and_missing_optional_fields_are_accepted():
    order = parse_order({"id": "12", "status": "wc-awaiting-shipment", "total": 15, "brand_new_field": {"x": 1}})
    assert order.id == 12
    assert order.status == "awaiting-shipment"
    assert order.number == "12"
    assert order.total == Decimal(15)
    assert order.customer_name == ""
    assert order.date_modified_gmt is None
    assert order.line_items_count == 0


def test_dates_with_a_zone_are_converted_to_utc():
    order = parse_order({"id": 1, "status": "pending", "date_modified_gmt": "2026-01-01T03:00:00+03:00"})
    assert order.date_modified_gmt == datetime(2026, 1, 1, 0, 0, tzinfo=UTC)


def test_checkout_drafts_are_dropped_from_a_list():
    orders = parse_orders([{"id": 1, "status": "checkout-draft"}, {"id": 2, "status": "pending"}])
    assert [order.id for order in orders] == [2]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([1, 2], "JSON object"),
        ({"status": "pending"}, "integer `id`"),
        ({"id": "abc", "status": "pending"}, "integer `id`"),
        ({"id": 3}, "integer `id` and a `status`"),
        ({"id": 3, "status": "pending", "total": "12,50"}, "order 3: total '12,50' is not money"),
        ({"id": 3, "status": "pending", "total": "NaN"}, "is not money"),
        ({"id": 3, "status": "pending", "date_modified_gmt": "yesterday"}, "not ISO 8601"),
    ],
)
def test_an_order_without_identity_or_with_nonsense_money_or_dates_is_an_error(raw, message):
    with pytest.raises(OrderParseError, match=message):
        parse_order(raw)


def test_a_refund_record_from_the_refunds_list_has_a_positive_amount():
    record = parse_refund_record(fixture("refund-list.json")[1])
    assert record.id == 724
    assert record.amount == Decimal("9.00")
    assert record.date_created_gmt == datetime(2017, 3, 21, 19, 55, 37, tzinfo=UTC)
