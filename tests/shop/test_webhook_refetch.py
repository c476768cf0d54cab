"""A webhook's order is re-read from the store and recorded as a poll would record it."""

from __future__ import annotations

from collections import Counter

import pytest

from shop.models import OrderEvent, OrderState
from shop.polling import poll_store
from shop.webhooks import refetch
from tests.shop.conftest import ago

pytestmark = pytest.mark.django_db


def test_a_webhook_and_a_poll_seeing_one_change_yield_one_event(sim, store):
    poll_store(store.pk)
    order = sim.store.create_order(status="pending")
    sim.store.set_status(order.id, "processing")

    refetch(store.pk, order.id, "order.updated")
    poll_store(store.pk)
    refetch(store.pk, order.id, "order.updated")

    events = list(OrderEvent.objects.values_list("event_type", "source"))
    assert events == [("shop.order.new", "webhook")]


def test_each_transition_seen_by_webhooks_alone_has_its_event(sim, store):
    poll_store(store.pk)
    order = sim.store.create_order(status="pending")
    for status in ("processing", "cancelled"):
        sim.store.set_status(order.id, status)
        refetch(store.pk, order.id, "order.updated")

    assert Counter(OrderEvent.objects.values_list("event_type", flat=True)) == {
        "shop.order.new": 1,
        "shop.order.cancelled": 1,
    }


def test_the_ids_of_new_events_are_returned_for_notification(sim, store):
    order = sim.store.create_order(status="processing", at=ago(sim, minutes=1))

    ids = refetch(store.pk, order.id, "order.created")

    assert ids == list(OrderEvent.objects.values_list("pk", flat=True))
    assert refetch(store.pk, order.id, "order.updated") == []


def test_a_trashed_then_restored_order_makes_no_event_and_keeps_its_state(sim, store):
    order = sim.store.create_order(status="processing", at=ago(sim, minutes=1))
    refetch(store.pk, order.id, "order.created")
    sim.store.trash(order.id)

    assert refetch(store.pk, order.id, "order.deleted") == []
    assert OrderState.objects.get(order_id=order.id).status == "processing"

    sim.store.restore(order.id)
    assert refetch(store.pk, order.id, "order.restored") == []
    assert OrderEvent.objects.count() == 1


def test_an_order_deleted_for_good_is_not_an_error(sim, store):
    order = sim.store.create_order(status="processing", at=ago(sim, minutes=1))
    sim.store.delete(order.id)

    assert refetch(store.pk, order.id, "order.deleted") == []
    assert not OrderEvent.objects.exists()


def test_a_late_webhook_for_an_old_change_does_not_notify_history(sim, store):
    old = sim.store.create_order(status="processing", at=ago(sim, days=3))
    poll_store(store.pk)

    assert refetch(store.pk, old.id, "order.updated") == []
    assert OrderState.objects.filter(order_id=old.id).exists()
