"""Exactly one send per delivery: racing dispatchers, a redelivered task, a worker that lost its lease."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from notifications.dispatch import claim, deliver, finish, lease, sweep
from notifications.models import Delivery, Notification
from notifications.publish import publish
from tests.factories.notifications import DeliveryFactory, webhook_channel
from tests.support.deliveries import reload
from tests.support.loopback import LoopbackServer, Reply

pytestmark = pytest.mark.django_db(transaction=True)


def in_threads(target, count: int) -> list:
    """Run `target` in `count` threads released together; return their results."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = target()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_dispatchers_racing_for_one_delivery_send_it_once():
    with LoopbackServer(Reply(200, delay=0.3)) as server:
        delivery = DeliveryFactory(channel=webhook_channel(server.url))
        results = in_threads(lambda: deliver(delivery.pk), 4)
    assert sorted(results, key=str) == [None, None, None, "sent"]
    assert len(server.received) == 1
    assert reload(delivery).attempts == 1


def test_a_redelivered_dispatch_task_does_not_send_again():
    with LoopbackServer(Reply(200)) as server:
        delivery = DeliveryFactory(channel=webhook_channel(server.url))
        assert deliver(delivery.pk) == "sent"
        assert deliver(delivery.pk) is None
    assert len(server.received) == 1


def test_a_worker_whose_lease_expired_cannot_overwrite_the_newer_attempt():
    with LoopbackServer(Reply(200)) as server:
        delivery = DeliveryFactory(channel=webhook_channel(server.url))
        stale_attempt = claim(delivery.pk, timezone.now())
        assert stale_attempt == 1
        # ...and then that worker hung past its lease.
        Delivery.objects.filter(pk=delivery.pk).update(claimed_at=timezone.now() - lease() - timedelta(seconds=1))

        assert sweep()["released"] == 1
        assert deliver(delivery.pk) == "sent"

    # The hung worker comes back and tries to record its outcome: the claim is no longer its.
    assert finish(delivery.pk, stale_attempt, status="failed", last_error="late") is False
    delivery = reload(delivery)
    assert (delivery.status, delivery.attempts) == ("sent", 2)


def test_two_publishers_racing_with_one_event_record_one_notification_and_one_delivery_per_channel():
    webhook_channel("http://127.0.0.1:1/")
    results = in_threads(lambda: publish("shop.order.new", "Новый заказ", "", "shop", "main:5").pk, 4)
    assert len(set(results)) == 1
    assert Notification.objects.count() == 1
    assert Delivery.objects.count() == 1
