"""A delivery held by a publisher or a worker racing the channel's re-enabling is sent by the sweeper, not left held.

`channels.enable` sends (or drops) the held deliveries it can see in its transaction; a
publisher that read the channel as disabled commits its held delivery after that, where
no enable will ever look again. The sweeper sends such a delivery: its channel is on.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from notifications import channels, dispatch
from notifications.models import Delivery
from notifications.publish import publish
from tests.factories.notifications import DeliveryFactory, webhook_channel
from tests.support.loopback import LoopbackServer, Reply


def enable_elsewhere(channel_id: int) -> None:
    """Enable the channel from another connection, as an operator's request would, and wait for it."""

    def run() -> None:
        try:
            channels.enable([channel_id], held=channels.SEND)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive()


@pytest.mark.django_db(transaction=True)
def test_a_notification_published_while_its_channel_is_enabled_is_sent_by_the_sweeper(monkeypatch):
    sent: list[int] = []
    monkeypatch.setattr(dispatch, "enqueue", lambda ids, countdown=None: sent.extend(ids))
    with LoopbackServer(Reply(204)) as server:
        hook = webhook_channel(server.url, enabled=False)
        with transaction.atomic():
            # The publisher read the channel as disabled; the operator enables it before the publisher commits.
            notification = publish("shop.order.new", "Новый заказ", "#1", "shop", "main:1")
            enable_elsewhere(hook.pk)
        delivery = notification.deliveries.get()
        assert delivery.status == "held"  # the race: held for a channel that is on

        assert dispatch.sweep()["unheld"] == 1

        assert sent == [delivery.pk]
        assert Delivery.objects.values_list("status", "attempts").get(pk=delivery.pk) == ("pending", 0)
        assert dispatch.deliver(delivery.pk) == "sent"
    assert [request.json()["message"] for request in server.received] == ["#1"]


@pytest.mark.django_db
def test_deliveries_held_for_a_disabled_channel_stay_held(monkeypatch):
    monkeypatch.setattr(dispatch, "enqueue", lambda ids, countdown=None: None)
    held = DeliveryFactory(channel=webhook_channel("http://127.0.0.1:9/hook", enabled=False), status="held")

    assert dispatch.sweep()["unheld"] == 0

    assert Delivery.objects.get(pk=held.pk).status == "held"
