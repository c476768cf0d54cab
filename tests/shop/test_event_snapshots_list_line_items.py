"""An event's order snapshot lists the order's line items, so a notification can name what was bought."""

from __future__ import annotations

import json
from pathlib import Path

from shop.texts import MAX_SNAPSHOT_ITEMS, snapshot_of
from shop.woocommerce.orders import parse_order

ADAPTER_SAMPLE = (
    Path(__file__).resolve().parent.parent / "fixtures" / "mcp-adapter-10.9" / "20-orders-query-id24-line-items.json"
)


def test_the_line_items_of_a_thin_adapter_order_are_in_the_snapshot():
    order = parse_order(json.loads(ADAPTER_SAMPLE.read_text())["data"]["orders"][0])

    snapshot = snapshot_of(order)

    assert snapshot["line_items"] == [
        {"name": "Loopback2 T-Shirt", "quantity": 2, "variation": "", "total": "48"},
        {"name": "Loopback2 Sticker Pack", "quantity": 1, "variation": "", "total": "3"},
    ]
    assert (snapshot["number"], snapshot["email"], snapshot["items"]) == ("24", "grace@example.test", 2)


def test_an_order_of_a_thousand_lines_keeps_the_first_fifty_and_counts_them_all():
    items = [{"id": n, "name": f"Bolt {n}", "quantity": 1, "total": "0.10"} for n in range(1000)]
    order = parse_order({"id": 7, "status": "processing", "total": "100.00", "line_items": items})

    snapshot = snapshot_of(order)

    assert [item["name"] for item in snapshot["line_items"]] == [f"Bolt {n}" for n in range(MAX_SNAPSHOT_ITEMS)]
    assert snapshot["items"] == 1000
