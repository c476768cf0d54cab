"""The simulator answers with WooCommerce's documented payloads, field by field in shape and type."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.support.shapes import shape_differences
from tests.support.simulated_store import AN_HOUR_AGO

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "woocommerce"


def documented(name: str):
    return json.loads((FIXTURES / name).read_text())


def get(server, path: str, **params):
    key = server.store.rw_key
    response = httpx.get(f"{server.url}/wp-json/wc/v3/{path}", params=params, auth=(key.key, key.secret), timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def make_documented_pair(store):
    """Two orders like the documentation's: a paid one, and a completed guest-less one with two refunds."""
    paid = store.create_order(status="processing", total="29.35", items=2, at=AN_HOUR_AGO)
    completed = store.create_order(status="completed", total="39.00", items=2, customer_id=26, at=AN_HOUR_AGO)
    store.refund(completed.id, "9.00")
    store.refund(completed.id, "10.00")
    return paid, completed


def test_one_order_has_the_documented_shape(server):
    paid, _ = make_documented_pair(server.store)
    assert shape_differences(documented("order.json"), get(server, f"orders/{paid.id}")) == []


def test_the_order_list_has_the_documented_shape_except_refunds_say_reason(server):
    make_documented_pair(server.store)
    expected = documented("order-list.json")
    # The documentation's example still shows the old key `refund`; stores send `reason`.
    for order in expected:
        order["refunds"] = [{"id": r["id"], "reason": r["refund"], "total": r["total"]} for r in order["refunds"]]
    actual = get(server, "orders", orderby="id", order="asc")
    assert len(actual) == 2
    assert [shape_differences(expected[n], actual[n]) for n in range(2)] == [[], []]
    assert actual[1]["refunds"][0]["total"] == "-10.00"
    assert actual[1]["_links"]["customer"][0]["href"].endswith("/customers/26")


def test_the_refunds_list_has_the_documented_shape(server):
    _, completed = make_documented_pair(server.store)
    actual = get(server, f"orders/{completed.id}/refunds")
    assert shape_differences(documented("refund-list.json"), actual) == []
    assert [refund["amount"] for refund in actual] == ["10.00", "9.00"]


def test_the_shape_comparison_notices_a_missing_field_and_a_wrong_type():
    expected = documented("order.json")
    actual = dict(expected, total=29.35)
    del actual["currency"]
    assert shape_differences(expected, actual) == ["$.currency: missing", "$.total: string expected, got number"]
