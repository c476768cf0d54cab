"""An MCP adapter store's thin orders hide partial refunds and payment dates; its REST keys bring them back."""

from __future__ import annotations

import pytest

from shop.models import OrderEvent, Store
from shop.polling import poll_store
from shop.rules import NEW, PARTIALLY_REFUNDED
from shop.webhooks import refetch
from tests.shop.conftest import ago

pytestmark = pytest.mark.django_db


def adapter_store(sim, slug: str, *, rest_keys: bool) -> Store:
    user, password = next(iter(sim.store.app_passwords.items()))
    key = sim.store.read_key
    return Store.objects.create(
        name=slug, slug=slug, base_url=sim.url, allow_http=True, api=Store.Api.MCP_ADAPTER, consumer_key=user,
        consumer_secret=password, rest_consumer_key=key.key if rest_keys else "",
        rest_consumer_secret=key.secret if rest_keys else "",
    )  # fmt: skip


def events(store: Store) -> set[tuple[int, str]]:
    return set(OrderEvent.objects.filter(store=store).values_list("order_id", "event_type"))


def test_a_partial_refund_is_seen_only_with_the_stores_rest_keys(sim):
    thin, completed = adapter_store(sim, "thin", rest_keys=False), adapter_store(sim, "completed", rest_keys=True)
    order = sim.store.create_order(status="processing", total="100.00", at=ago(sim, minutes=5)).id
    poll_store(thin.pk)
    poll_store(completed.pk)

    sim.store.refund(order, "30.00")
    poll_store(thin.pk)
    poll_store(completed.pk)

    assert events(thin) == {(order, NEW)}
    assert events(completed) == {(order, NEW), (order, PARTIALLY_REFUNDED)}


def test_an_order_paid_long_after_it_was_placed_is_new_only_with_the_payment_date_rest_gives(sim):
    thin, completed = adapter_store(sim, "thin", rest_keys=False), adapter_store(sim, "completed", rest_keys=True)
    order = sim.store.create_order(status="pending", at=ago(sim, hours=5)).id
    poll_store(thin.pk)  # the first polls look back an hour: the pending order is not news
    poll_store(completed.pk)

    sim.store.set_status(order, "processing")
    poll_store(thin.pk)
    poll_store(completed.pk)

    assert events(thin) == set()  # the blind spot the store page and Test connection state
    assert events(completed) == {(order, NEW)}


def test_a_webhook_is_followed_over_rest_and_without_rest_keys_left_to_polling(sim):
    thin, completed = adapter_store(sim, "thin", rest_keys=False), adapter_store(sim, "completed", rest_keys=True)
    order = sim.store.create_order(status="processing", at=ago(sim, minutes=1)).id

    assert refetch(thin.pk, order, "order.created") == []
    assert len(refetch(completed.pk, order, "order.created")) == 1

    assert events(thin) == set()
    assert events(completed) == {(order, NEW)}
