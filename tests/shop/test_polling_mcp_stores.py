"""Stores reached over MCP are polled by the same algorithm, with the same events."""

from __future__ import annotations

import pytest

from shop.models import OrderEvent, Store
from shop.polling import poll_store
from shop.rules import CANCELLED, NEW
from simulator import StoreServer
from tests.shop.conftest import ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def sim():
    """MCP needs https: a simulated store as if behind a TLS-terminating proxy."""
    with StoreServer() as running:
        yield running


@pytest.mark.parametrize("api", ["mcp-legacy", "mcp-adapter"])
def test_an_mcp_store_yields_the_same_events_as_rest(sim, api):
    config = sim.config(api)
    store = Store.objects.create(
        name="MCP shop", slug="mcp", base_url=sim.url, api=api, allow_http=True,
        consumer_key=config.key, consumer_secret=config.secret,
    )  # fmt: skip
    paid = sim.store.create_order(status="processing", at=ago(sim, minutes=3)).id
    poll_store(store.pk)
    sim.store.set_status(paid, "cancelled")
    many = [sim.store.create_order(status="processing").id for _ in range(120)]

    run = poll_store(store.pk)

    assert run.pages >= 2
    events = set(OrderEvent.objects.values_list("order_id", "event_type"))
    assert events == {(paid, NEW), (paid, CANCELLED)} | {(order, NEW) for order in many}
