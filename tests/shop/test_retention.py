"""Known orders and poll runs are pruned after their retention; events stay and keep their memory."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shop.models import OrderEvent, OrderState, PollRun, WebhookDelivery
from shop.polling import poll_store
from shop.tasks import prune_history
from tests.shop.conftest import ago

pytestmark = pytest.mark.django_db


def test_old_known_orders_poll_runs_and_processed_webhooks_are_pruned_and_events_kept(sim, store, settings):
    settings.SHOP_KNOWN_ORDERS_RETENTION_DAYS = 7
    settings.SHOP_POLL_RUNS_RETENTION_DAYS = 30
    old, recent = (sim.store.create_order(status="processing", at=ago(sim, minutes=m)).id for m in (2, 1))
    poll_store(store.pk)
    OrderState.objects.filter(order_id=old).update(last_seen=timezone.now() - timedelta(days=8))
    PollRun.objects.update(started_at=timezone.now() - timedelta(days=31))
    poll_store(store.pk)
    month_ago = timezone.now() - timedelta(days=31)
    for status in ("done", "failed", "pending"):
        WebhookDelivery.objects.create(
            store=store, order_id=old, topic="order.updated", status=status, received_at=month_ago
        )

    assert prune_history() == {"order_states": 1, "poll_runs": 1, "event_snapshots": 0, "webhook_deliveries": 2}
    assert list(OrderState.objects.values_list("order_id", flat=True)) == [recent]
    assert PollRun.objects.count() == 1
    assert OrderEvent.objects.count() == 2
    assert list(WebhookDelivery.objects.values_list("status", flat=True)) == ["pending"]  # not processed yet: kept


def test_a_pruned_order_changing_again_is_not_announced_as_new_twice(sim, store):
    order = sim.store.create_order(status="on-hold", at=ago(sim, minutes=2)).id
    poll_store(store.pk)
    OrderState.objects.all().delete()
    sim.store.set_status(order, "processing")

    poll_store(store.pk)

    assert OrderEvent.objects.filter(order_id=order, event_type="shop.order.new").count() == 1


def test_an_order_reopened_after_its_event_keeps_its_state_so_a_second_cancellation_counts(sim, store, settings):
    settings.SHOP_KNOWN_ORDERS_RETENTION_DAYS = 7
    order = sim.store.create_order(status="processing", at=ago(sim, minutes=3)).id
    poll_store(store.pk)
    sim.store.set_status(order, "cancelled")
    poll_store(store.pk)
    sim.store.set_status(order, "pending")  # reopened: no event
    poll_store(store.pk)
    OrderState.objects.update(last_seen=timezone.now() - timedelta(days=8))

    assert prune_history()["order_states"] == 0  # its memory is not in the events
    sim.store.set_status(order, "cancelled", at=sim.store.now() + timedelta(seconds=5))  # a later second
    poll_store(store.pk)

    assert OrderEvent.objects.filter(order_id=order, event_type="shop.order.cancelled").count() == 2
