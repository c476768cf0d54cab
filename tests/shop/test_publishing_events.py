"""Recorded order events become notifications: each once, with their default texts, even after a crash."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Notification
from shop.models import OrderEvent
from shop.polling import poll_store
from shop.tasks import poll_orders, publish_pending_events, send_notification
from tests.shop.conftest import ago
from tests.support.processes import wait_for


@pytest.mark.django_db
def test_an_event_is_published_once_with_the_default_text_and_its_store(sim, store):
    order = sim.store.create_order(status="processing", total="2990.00", currency="RUB", at=ago(sim, minutes=1))
    poll_store(store.pk)
    event = OrderEvent.objects.get()

    assert send_notification(event_ids=[event.pk]) == 1
    assert send_notification(event_ids=[event.pk]) == 0  # a redelivered task

    notification = Notification.objects.get()
    assert (notification.event_type, notification.level, notification.source_module) == (
        "shop.order.new",
        "info",
        "shop",
    )
    assert notification.title == f"Новый заказ #{order.id} на 2\xa0990,00\xa0₽"
    assert notification.message == (
        f"Simulated shop: новый оплаченный заказ #{order.id} на сумму 2\xa0990,00\xa0₽\n"
        "Покупатель: Ivan Petrov, +7 900 000-00-00, ivan@example.com\n"
        "Товары (1):\n"
        "• Product #1 × 1\n"
        "Оплата: Direct bank transfer\n"
        "Доставка: Flat rate, Moscow\n"
        f"Заказ в магазине: {sim.url}/wp-admin/admin.php?page=wc-orders&action=edit&id={order.id}"
    )
    assert notification.renderer == "shop.order"
    assert notification.source_id == f"sim:{order.id}"
    assert notification.data["store"] == "sim"
    assert notification.data["order_id"] == order.id
    event.refresh_from_db()
    assert event.published_at is not None


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_sweeper_publishes_events_a_crash_left_behind_but_not_fresh_ones(sim, store, celery_worker):
    left = [sim.store.create_order(status=status, at=ago(sim, minutes=1)).id for status in ("processing", "cancelled")]
    poll_store(store.pk)  # no on_events: as if the process died before enqueueing
    OrderEvent.objects.update(detected_at=timezone.now() - timedelta(minutes=5))
    fresh = sim.store.create_order(status="failed").id
    poll_store(store.pk)

    assert publish_pending_events.delay().get(timeout=30) == 2

    wait_for(lambda: Notification.objects.count() == 2, timeout=30, what="two notifications")
    assert sorted(Notification.objects.values_list("data__order_id", flat=True)) == left
    assert OrderEvent.objects.get(order_id=fresh).published_at is None  # its own enqueue comes first


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_poll_in_the_worker_ends_in_one_inbox_notification_per_event(sim, store, celery_worker):
    orders = [sim.store.create_order(status="processing", at=ago(sim, minutes=2)).id for _ in range(3)]

    poll_orders.delay(store_id=store.pk)
    wait_for(lambda: Notification.objects.count() == 3, timeout=60, what="three notifications")
    again = poll_orders.delay(store_id=store.pk)  # a second poll over the same changes adds nothing
    assert again.get(timeout=60)["events"] == 0

    assert sorted(Notification.objects.values_list("data__order_id", flat=True)) == orders


@pytest.mark.django_db(transaction=True)
def test_events_are_published_while_a_poll_holds_the_store_row(sim, store):
    import threading

    from django.db import connection, transaction

    from shop.models import Store

    sim.store.create_order(status="processing", at=ago(sim, minutes=1))
    poll_store(store.pk)
    event = OrderEvent.objects.get()
    locked, release = threading.Event(), threading.Event()

    def hold_the_store_row() -> None:
        with transaction.atomic():
            list(Store.objects.select_for_update().filter(pk=store.pk))  # as a poll's page does
            locked.set()
            release.wait(10)
        connection.close()

    holder = threading.Thread(target=hold_the_store_row)
    holder.start()
    try:
        locked.wait(10)
        assert send_notification(event_ids=[event.pk]) == 1
    finally:
        release.set()
        holder.join(10)
    assert Notification.objects.count() == 1


@pytest.mark.django_db
def test_one_event_that_cannot_be_published_does_not_hold_back_the_others(sim, store):
    for status in ("processing", "cancelled"):
        sim.store.create_order(status=status, at=ago(sim, minutes=1))
    poll_store(store.pk)
    broken, fine = OrderEvent.objects.order_by("pk")
    OrderEvent.objects.filter(pk=broken.pk).update(event_type="shop.order.unheard_of")  # no text for it

    assert send_notification(event_ids=[broken.pk, fine.pk]) == 1

    assert list(Notification.objects.values_list("data__event_id", flat=True)) == [fine.pk]
    assert OrderEvent.objects.get(pk=broken.pk).published_at is None  # left for the sweeper
