"""The simulator is driven over HTTP too: orders, refunds, faults, clock, MCP sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx
import pytest

from shop.woocommerce import AuthenticationError, TransientError, build_client
from tests.support.simulated_store import BEFORE_ALL


def control(server, path, **body):
    response = httpx.post(f"{server.url}/_simulator/{path}", json=body, timeout=5)
    assert response.status_code in (200, 201), response.text
    return response.json()


def test_orders_are_created_moved_and_refunded_over_http(server):
    created = control(server, "orders", status="pending", total="250.00", first_name="Olga")
    control(server, f"orders/{created['id']}/status", status="processing")
    control(server, f"orders/{created['id']}/refunds", amount="50.00", reason="late")
    with build_client(server.config()) as client:
        order = client.get_order(created["id"])
    assert order.status == "processing"
    assert order.customer_name == "Olga Petrov"
    assert [(refund.reason, str(refund.total)) for refund in order.refunds] == [("late", "-50.00")]


def test_faults_are_injected_over_http(server):
    control(server, "faults", kind="status", status=502, times=1)
    with build_client(server.config()) as client:
        with pytest.raises(TransientError):
            list(client.iter_modified_orders(BEFORE_ALL))
        (page,) = client.iter_modified_orders(BEFORE_ALL)
        assert page.orders == ()


def test_the_clock_and_mcp_sessions_are_controlled_over_http(server):
    control(server, "clock", offset_seconds=120)
    with build_client(server.config("mcp-legacy")) as client:
        list(client.iter_modified_orders(BEFORE_ALL))
        control(server, "mcp/expire")
        list(client.iter_modified_orders(BEFORE_ALL))
    assert server.legacy_mcp.calls.count("initialize") == 2
    state = httpx.get(f"{server.url}/_simulator/state").json()
    assert state["orders"] == 0


def test_a_bad_control_request_gets_a_clear_error(server):
    response = httpx.post(f"{server.url}/_simulator/orders/12345/status", json={"status": "completed"})
    assert response.status_code == 404
    assert response.json()["code"] == "woocommerce_rest_shop_order_invalid_id"
    response = httpx.post(f"{server.url}/_simulator/orders", content=b"{not json")
    assert response.status_code == 400


def test_orders_are_touched_and_poisoned_and_the_order_query_bent_over_http(server):
    created = control(server, "orders", status="pending")
    touched = control(server, f"orders/{created['id']}/touch")
    poisoned = control(server, f"orders/{created['id']}/poison", total="1e20", **{"billing.last_name": "Pe\x00trov"})
    assert touched["date_modified_gmt"] >= created["date_modified_gmt"]
    assert touched["status"] == "pending"
    assert (poisoned["total"], poisoned["billing"]["last_name"]) == ("1e20", "Pe\x00trov")
    healed = control(server, f"orders/{created['id']}/poison")
    assert healed["total"] == "1500.00"

    assert control(server, "behaviour", page_cap=10, ignores_modified_after=True) == {
        "page_cap": 10,
        "ignores_modified_after": True,
        "clock_offset_seconds": 0.0,
        "sends_date": True,
        "language": "en_US",
    }
    assert (server.store.page_cap, server.store.ignores_modified_after) == (10, True)
    # Each habit is set on its own: one named leaves the others as they were.
    assert control(server, "behaviour", page_cap=20) == {
        "page_cap": 20,
        "ignores_modified_after": True,
        "clock_offset_seconds": 0.0,
        "sends_date": True,
        "language": "en_US",
    }
    assert control(server, "behaviour", ignores_modified_after=False)["page_cap"] == 20
    assert server.store.ignores_modified_after is False
    refused = httpx.post(f"{server.url}/_simulator/behaviour", json={"page_cap": 0})
    assert (refused.status_code, refused.json()["message"]) == (400, "page_cap must be a positive integer or null")
    state = httpx.get(f"{server.url}/_simulator/state").json()
    assert state["requests"] == 0  # the control API is not the store's traffic


def test_the_stores_clock_is_set_back_and_its_date_header_dropped_at_runtime(server):
    def served_date() -> datetime | None:
        answer = httpx.get(f"{server.url}/wp-json/wc/v3/orders", timeout=5)  # refused: no keys, but dated
        return parsedate_to_datetime(answer.headers["Date"]) if "Date" in answer.headers else None

    assert control(server, "behaviour", clock_offset_seconds=-3600)["clock_offset_seconds"] == -3600.0
    behind = datetime.now(UTC) - served_date()
    assert timedelta(minutes=59) < behind < timedelta(minutes=61)

    assert control(server, "behaviour", sends_date=False)["sends_date"] is False
    assert served_date() is None
    assert server.store.clock_offset == timedelta(hours=-1)  # left as it was
    refused = httpx.post(f"{server.url}/_simulator/behaviour", json={"clock_offset_seconds": "an hour"})
    assert refused.status_code == 400


def test_the_stores_site_language_is_set_at_runtime_and_its_notes_follow(server):
    assert control(server, "behaviour", language="ru_RU")["language"] == "ru_RU"
    order = control(server, "orders", status="pending")["id"]
    control(server, f"orders/{order}/status", status="cancelled")

    assert [note.note for note in server.store.orders[order].notes] == [
        "Статус заказа изменён с «Ожидается оплата» на «Отменён»."
    ]
    refused = httpx.post(f"{server.url}/_simulator/behaviour", json={"language": "xx_XX"})
    assert (refused.status_code, refused.json()["message"]) == (400, "language must be one of de_DE, en_US, ru_RU")


def test_the_hosts_habits_are_set_over_http(server):
    assert control(server, "host", strips_authorization=True) == {"strips_authorization": True, "redirect_to": ""}
    with build_client(server.config()) as client:
        with pytest.raises(AuthenticationError, match="woocommerce_rest_cannot_view"):
            client.get_order(1)

    control(server, "host", strips_authorization=False, redirect_to="https://www.shop.example/")
    moved = httpx.get(f"{server.url}/wp-json/wc/v3/orders?per_page=1", timeout=5)
    assert (moved.status_code, moved.headers["Location"]) == (
        301,
        "https://www.shop.example/wp-json/wc/v3/orders?per_page=1",
    )
    assert control(server, "host", redirect_to="") == {"strips_authorization": False, "redirect_to": ""}
