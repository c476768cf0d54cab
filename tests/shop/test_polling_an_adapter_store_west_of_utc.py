"""A WooCommerce 10.9 store set to America/Los_Angeles, polled over the MCP adapter, loses no change.

Before, ADOLF sent the adapter naive UTC, which it reads in the store's time zone: the poll
asked for a time eight hours ahead, saw nothing, reported "ok" and moved its cursor, and an
on-hold order paid meanwhile was never recorded (tests/woocommerce/test_store_time_zones.py
shows the naive request come back empty).
"""

from __future__ import annotations

from collections import Counter

import pytest

from notifications.models import Notification
from shop.models import OrderEvent, OrderState, Store
from shop.polling import poll_store
from shop.publishing import publish_events
from shop.rules import CANCELLED, NEW
from simulator import SimulatedStore, StoreServer
from tests.shop.conftest import ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def west():
    with StoreServer(SimulatedStore(timezone="America/Los_Angeles")) as running:
        yield running


@pytest.fixture
def store(west) -> Store:
    user, password = next(iter(west.store.app_passwords.items()))
    return Store.objects.create(
        name="Pacific shop", slug="pacific", base_url=west.url, api=Store.Api.MCP_ADAPTER, allow_http=True,
        consumer_key=user, consumer_secret=password,
    )  # fmt: skip


def test_every_change_is_recorded_and_announced_exactly_once(west, store):
    held = west.store.create_order(status="on-hold", at=ago(west, minutes=30)).id
    cancelled = west.store.create_order(status="on-hold", at=ago(west, minutes=20)).id
    poll_store(store.pk)
    west.store.set_status(held, "processing")
    west.store.set_status(cancelled, "cancelled")

    run = poll_store(store.pk)
    again = poll_store(store.pk)  # its overlap reads the same changes once more
    publish_events(OrderEvent.objects.values_list("pk", flat=True))
    publish_events(OrderEvent.objects.values_list("pk", flat=True))

    assert (run.orders_seen, again.orders_seen) == (2, 2)
    assert dict(OrderState.objects.values_list("order_id", "status")) == {held: "processing", cancelled: "cancelled"}
    expected = {(held, NEW): 1, (cancelled, NEW): 1, (cancelled, CANCELLED): 1}
    notified = OrderEvent.objects.filter(notify=True)  # on-hold events are opt-in, and not asked for here
    assert Counter(notified.values_list("order_id", "event_type")) == expected
    announced = Counter(
        (int(source_id.split(":")[1]), event_type)
        for source_id, event_type in Notification.objects.values_list("source_id", "event_type")
    )
    assert announced == expected


def test_a_session_the_store_expired_in_the_middle_of_a_poll_is_opened_again(west, store):
    poll_store(store.pk)
    orders = [west.store.create_order(status="processing").id for _ in range(150)]

    def expire_after_the_first_page(page, run) -> None:
        if page.number == 1:
            west.adapter_mcp.expire_sessions()

    run = poll_store(store.pk, on_page=expire_after_the_first_page)

    assert run.outcome == "ok"
    assert Counter(OrderEvent.objects.values_list("order_id", "event_type")) == {(order, NEW): 1 for order in orders}
    assert west.adapter_mcp.calls.count("initialize") == 3  # one per poll, one after the expiry
