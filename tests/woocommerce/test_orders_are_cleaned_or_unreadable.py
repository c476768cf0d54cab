"""What a store sends is cleaned where orders are parsed; what cannot be cleaned makes that one order unreadable."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from shop.woocommerce.orders import MAX_CURRENCY, MAX_NUMBER, Order, UnreadableOrder, parse_order, read_order

ORDER = json.loads((Path(__file__).resolve().parent.parent / "fixtures" / "woocommerce" / "order.json").read_text())


def order_with(**fields) -> dict:
    raw = json.loads(json.dumps(ORDER))
    for name, value in fields.items():
        outer, _, inner = name.partition("__")
        if inner:
            raw[outer][inner] = value
        else:
            raw[outer] = value
    return raw


def test_control_characters_and_lone_surrogates_are_cleaned_from_every_text():
    order = parse_order(
        order_with(customer_note="Call\x00 me\x07\nat six", billing__last_name="Do\x00e\ud800", number="7\x1b27")
    )
    assert order.customer_note == "Call me\nat six"
    assert order.customer_name == "John Doe\ufffd"
    assert order.number == "727"


def test_values_longer_than_any_real_order_holds_are_cut_to_fit():
    order = parse_order(order_with(number="N" * 70, currency="RUBRUBRUBRUB"))
    assert order.number == "N" * (MAX_NUMBER - 1) + "…"
    assert len(order.currency) == MAX_CURRENCY


def test_money_with_more_than_four_decimals_is_kept_to_four_and_no_date_is_no_date():
    order = parse_order(order_with(total="29.123456", date_paid_gmt="0000-00-00T00:00:00"))
    assert (order.total, order.date_paid_gmt) == (Decimal("29.1235"), None)


@pytest.mark.parametrize(
    ("fields", "order_id", "reason"),
    [
        (
            {"total": "1e20"},
            727,
            "order 727: total '1e20' is too large for an order (at most 14 digits before the point)",
        ),
        ({"total": {"amount": 1}}, 727, "order 727: total {'amount': 1} is not money"),
        ({"status": "s" * 41}, 727, "is empty or longer than WordPress allows"),
        ({"date_modified_gmt": "yesterday"}, 727, "order 727: date 'yesterday' is not ISO 8601"),
        ({"date_modified_gmt": None}, 727, "order 727: no date_modified_gmt"),
        ({"currency": ["RUB"]}, 727, "order 727: a list where text belongs: ['RUB']"),
        ({"id": 2**64}, None, "an order needs a positive integer `id`"),
        ({"id": "seven"}, None, "an order needs a positive integer `id`"),
    ],
)
def test_an_order_that_cannot_be_cleaned_is_unreadable_with_its_id_and_reason(fields, order_id, reason):
    read = read_order(order_with(**fields))
    assert isinstance(read, UnreadableOrder)
    assert read.order_id == order_id
    assert reason in read.reason
    assert read.sample.startswith("{'id': ")


def test_a_readable_order_reads_as_an_order():
    assert isinstance(read_order(ORDER), Order)
