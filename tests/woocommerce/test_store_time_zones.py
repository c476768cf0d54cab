"""A store's time zone never moves the window ADOLF asks for, on any API.

Each API reads a time one exact way (shop.woocommerce.dates): REST and the legacy MCP tools
compare naive UTC with `dates_are_gmt=true` against the UTC columns; the MCP adapter's
orders-query reads a time without an offset in the store's time zone, so ADOLF's carries `Z`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from shop.woocommerce import build_client
from simulator import SimulatedStore, StoreServer

ZONES = ["America/Los_Angeles", "UTC", "Europe/Moscow", "Pacific/Kiritimati"]


def store_in(zone: str) -> tuple[StoreServer, int]:
    """A store in `zone` with an order modified two hours ago and one changed ten minutes ago (its id)."""
    store = SimulatedStore(timezone=zone)
    now = datetime.now(UTC).replace(microsecond=0)
    store.create_order(status="completed", at=now - timedelta(hours=2))
    changed = store.create_order(status="on-hold", at=now - timedelta(hours=1))
    store.set_status(changed.id, "processing", at=now - timedelta(minutes=10))
    return StoreServer(store), changed.id


@pytest.mark.parametrize("api", ["rest", "mcp-legacy", "mcp-adapter"])
@pytest.mark.parametrize("zone", ZONES)
def test_a_listing_holds_exactly_the_orders_changed_after_the_time_asked_for(api, zone):
    after = datetime.now(UTC) - timedelta(minutes=30)
    server, changed = store_in(zone)
    with server, build_client(server.config(api)) as client:
        orders = [order for page in client.iter_modified_orders(after) for order in page.orders]
    assert [(order.id, order.status) for order in orders] == [(changed, "processing")]


def orders_query(server: StoreServer, modified_after: str) -> list[int]:
    with build_client(server.config("mcp-adapter")) as client:
        answer = client.call_tool(
            "mcp-adapter-execute-ability",
            {"ability_name": "woocommerce/orders-query", "parameters": {"modified_after": modified_after}},
        )
    return [order["id"] for order in answer["data"]["orders"]]


def test_a_naive_utc_time_would_ask_a_store_west_of_utc_for_the_future_and_see_nothing():
    after = (datetime.now(UTC) - timedelta(minutes=30)).replace(microsecond=0, tzinfo=None)
    server, changed = store_in("America/Los_Angeles")
    with server:
        assert orders_query(server, after.isoformat()) == []  # what ADOLF sent before
        assert orders_query(server, after.isoformat() + "Z") == [changed]


def test_an_offset_with_dates_are_gmt_is_misread_by_wordpress_so_rest_sends_naive_utc():
    after = (datetime.now(UTC) - timedelta(minutes=30)).replace(microsecond=0, tzinfo=None)
    server, changed = store_in("Europe/Moscow")
    with server:
        key = server.store.rw_key

        def listed(modified_after: str) -> list[int]:
            params = {"modified_after": modified_after, "dates_are_gmt": "true"}
            response = httpx.get(
                f"{server.url}/wp-json/wc/v3/orders", params=params, auth=(key.key, key.secret), timeout=5
            )
            return [order["id"] for order in response.json()]

        # WP_Date_Query turns the UTC time into Moscow's wall clock, three hours ahead, and
        # compares that with the UTC column.
        assert listed(after.isoformat() + "Z") == []
        assert listed(after.isoformat()) == [changed]
