"""A full refund reads as the whole total refunded, even from a store whose orders carry no refunds.

The MCP adapter's thin orders have no `refunds`: the order comes back `refunded` and
nothing says how much. WooCommerce's `refunded` status means refunded in full, so staff
read the total, not "0,00 ₽ refunded of 3 340,00 ₽".
"""

from __future__ import annotations

import pytest

from notifications.models import Notification
from shop.models import OrderEvent, Store
from shop.polling import poll_store
from shop.publishing import publish_events
from shop.rules import PARTIALLY_REFUNDED, REFUNDED
from simulator import SimulatedStore, StoreServer
from tests.shop.conftest import ago, store_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def sim():
    """MCP needs https: a simulated store as if behind a TLS-terminating proxy."""
    with StoreServer() as running:
        yield running


@pytest.fixture
def plain_sim():
    """A plain-http store, read over REST with OAuth 1.0a."""
    with StoreServer(SimulatedStore(https=False)) as running:
        yield running


def adapter_store(sim: StoreServer) -> Store:
    user, password = next(iter(sim.store.app_passwords.items()))
    return Store.objects.create(
        name="Adapter shop", slug="adapter", base_url=sim.url, api=Store.Api.MCP_ADAPTER, allow_http=True,
        consumer_key=user, consumer_secret=password,
    )  # fmt: skip


def test_a_full_refund_seen_over_the_adapter_reads_the_whole_total_refunded(sim):
    store = adapter_store(sim)
    order = sim.store.create_order(status="processing", total="3340.00", currency="RUB", at=ago(sim, minutes=3)).id
    poll_store(store.pk)
    sim.store.refund(order)

    poll_store(store.pk)
    publish_events(OrderEvent.objects.values_list("pk", flat=True))

    event = OrderEvent.objects.get(order_id=order, event_type=REFUNDED)
    assert (event.snapshot["refunded_total"], event.snapshot["total"]) == ("3340.00", "3340.00")
    first_line = Notification.objects.get(event_type=REFUNDED).message.splitlines()[0]
    assert first_line == f"Adapter shop: по заказу #{order} возвращено 3\xa0340,00\xa0₽ из 3\xa0340,00\xa0₽"


def test_a_partial_refund_a_rest_store_reports_keeps_its_own_amount(plain_sim):
    sim = plain_sim
    store = store_for(sim, event_types=[REFUNDED, PARTIALLY_REFUNDED])
    order = sim.store.create_order(status="processing", total="1000.00", currency="RUB", at=ago(sim, minutes=3)).id
    poll_store(store.pk)
    sim.store.refund(order, "250.00")

    poll_store(store.pk)

    event = OrderEvent.objects.get(order_id=order, event_type=PARTIALLY_REFUNDED)
    assert (event.snapshot["refunded_total"], event.snapshot["total"]) == ("250.00", "1000.00")
