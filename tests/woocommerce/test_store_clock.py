"""Every answer exposes the store's clock (HTTP Date), even when it disagrees with ours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shop.woocommerce import NotFoundError, build_client
from tests.support.simulated_store import BEFORE_ALL, fill


@pytest.mark.parametrize("api", ["rest", "mcp-legacy", "mcp-adapter"])
def test_pages_carry_the_stores_clock_not_ours(server, api):
    fill(server.store, 2)
    server.store.set_clock_offset(-600)
    with build_client(server.config(api)) as client:
        # The legacy MCP endpoint counts no orders: a second page confirms the end.
        first, *rest = client.iter_modified_orders(BEFORE_ALL)
    behind = datetime.now(UTC) - first.store_time
    assert timedelta(seconds=590) < behind < timedelta(seconds=620)
    assert client.last_store_time == (rest or [first])[-1].store_time


def test_single_order_reads_and_even_failures_update_the_clock(server):
    (order_id,) = fill(server.store, 1)
    server.store.set_clock_offset(3600)
    with build_client(server.config()) as client:
        client.get_order(order_id)
        ahead = client.last_store_time - datetime.now(UTC)
        server.store.set_clock_offset(7200)
        with pytest.raises(NotFoundError):
            client.get_order(424242)
        further = client.last_store_time - datetime.now(UTC)
    assert timedelta(minutes=59) < ahead < timedelta(minutes=61)
    assert timedelta(minutes=119) < further < timedelta(minutes=121)
