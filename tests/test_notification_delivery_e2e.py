"""End to end: publish commits, a real worker process delivers; a crash's leftovers are swept up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from notifications.models import Delivery, Notification
from notifications.publish import PublishError, publish
from notifications.tasks import dispatch_delivery, sweep_deliveries
from tests.factories.notifications import DeliveryFactory, webhook_channel
from tests.support.loopback import LoopbackServer, Reply
from tests.support.processes import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def status_of(delivery_id: int) -> str:
    return Delivery.objects.values_list("status", flat=True).get(pk=delivery_id)


def test_a_published_notification_is_delivered_by_the_worker_after_commit(celery_worker):
    with LoopbackServer(Reply(200)) as server:
        webhook_channel(server.url)
        with transaction.atomic():
            notification = publish(
                "shop.order.new", "Новый заказ", "Заказ #77", "shop", "main:77", data={"store": "main"}
            )
        delivery = notification.deliveries.get()
        wait_for(lambda: status_of(delivery.pk) == "sent", timeout=30, what="the worker to deliver")
    assert [r.json()["source_id"] for r in server.received] == ["main:77"]


def test_the_worker_retries_a_failed_attempt_and_then_delivers(celery_worker):
    with LoopbackServer(Reply(200)) as server:
        server.then(Reply(503))
        webhook_channel(server.url)
        delivery = publish("shop.order.refunded", "Возврат средств", "", "shop", "main:78").deliveries.get()
        wait_for(lambda: status_of(delivery.pk) == "sent", timeout=30, what="the retry to succeed")
    assert len(server.received) == 2
    assert Delivery.objects.get(pk=delivery.pk).attempts == 2


def test_a_redelivered_dispatch_task_sends_nothing_twice(celery_worker):
    with LoopbackServer(Reply(200)) as server:
        webhook_channel(server.url)
        delivery = publish("shop.order.cancelled", "Заказ отменён", "", "shop", "main:79").deliveries.get()
        for _ in range(3):
            dispatch_delivery.delay(delivery.pk)
        wait_for(lambda: status_of(delivery.pk) == "sent", timeout=30, what="the delivery")
        # A no-op task after the others proves they have all been consumed.
        dispatch_delivery.apply_async((delivery.pk,), ignore_result=False).get(timeout=30)
    assert len(server.received) == 1


def test_deliveries_left_behind_by_a_crash_are_sent_by_the_periodic_sweeper(celery_worker):
    with LoopbackServer(Reply(200)) as server:
        channel = webhook_channel(server.url)
        # As if the publisher died between its commit and the enqueue...
        orphan = DeliveryFactory(channel=channel, next_attempt_at=timezone.now() - timedelta(minutes=5))
        # ...and a worker died in the middle of sending.
        stranded = DeliveryFactory(
            channel=channel, status="sending", attempts=1, claimed_at=timezone.now() - timedelta(hours=1)
        )
        result = sweep_deliveries.delay().get(timeout=30)
        assert result == {"dispatched": 2, "released": 1, "dead": 0, "unheld": 0}
        wait_for(
            lambda: {status_of(orphan.pk), status_of(stranded.pk)} == {"sent"}, timeout=30, what="the swept deliveries"
        )
    assert len(server.received) == 2


def test_a_microservice_publishes_by_task_name_without_any_notification_code(celery_worker):
    from adolf.celery import app

    with LoopbackServer(Reply(200)) as server:
        webhook_channel(server.url)
        result = app.send_task(
            "notifications.publish",
            kwargs={
                "event_type": "auth.user.locked", "title": "Учётная запись заблокирована", "message": "user 5",
                "source_module": "auth", "source_id": "5", "level": "warning", "data": {"user_id": 5},
            },
        )  # fmt: skip
        notification = Notification.objects.get(pk=result.get(timeout=30))
        delivery = notification.deliveries.get()
        wait_for(lambda: status_of(delivery.pk) == "sent", timeout=30, what="the delivery")
    assert (notification.source_module, notification.level) == ("auth", "warning")
    assert server.received[0].json()["data"] == {"user_id": 5}


def test_a_malformed_task_message_fails_visibly_and_writes_nothing(celery_worker):
    from adolf.celery import app

    result = app.send_task(
        "notifications.publish",
        kwargs={
            "event_type": "auth.user.locked",
            "title": "x",
            "message": "",
            "source_module": "auth",
            "level": "fatal",
        },
    )
    with pytest.raises(PublishError, match="level 'fatal' is not one of"):
        result.get(timeout=30)
    assert not Notification.objects.exists()
