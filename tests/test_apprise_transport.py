"""Apprise: any service from one URL, tried once per attempt (Apprise's own retries off)."""

from __future__ import annotations

import pytest
from django.test import override_settings

from notifications.dispatch import deliver
from tests.factories.notifications import DeliveryFactory, NotificationFactory, apprise_channel
from tests.support.deliveries import make_due, reload
from tests.support.loopback import LoopbackServer, Reply

pytestmark = pytest.mark.django_db


def json_url(server: LoopbackServer, query: str = "") -> str:
    """An Apprise json:// URL pointing at the loopback server."""
    return f"json://{server.url.removeprefix('http://')}/notify{query}"


def test_it_delivers_title_message_and_level_through_an_apprise_url():
    with LoopbackServer(Reply(200, {"ok": True})) as server:
        notification = NotificationFactory(title="Заказ отменён", message="Клиент отменил заказ #9", level="warning")
        delivery = DeliveryFactory(notification=notification, channel=apprise_channel(json_url(server)))
        assert deliver(delivery.pk) == "sent"

    [request] = server.received
    assert request.path == "/notify"
    body = request.json()
    assert (body["title"], body["message"], body["type"]) == ("Заказ отменён", "Клиент отменил заказ #9", "warning")


def test_a_failure_is_tried_once_even_when_the_url_asks_apprise_to_retry_then_our_retry_succeeds():
    with LoopbackServer(Reply(200)) as server:
        server.then(Reply(500))
        delivery = DeliveryFactory(channel=apprise_channel(json_url(server, "?retry=3")))

        assert deliver(delivery.pk) == "pending"
        assert len(server.received) == 1
        delivery = reload(delivery)
        assert delivery.last_error.startswith("Apprise (JSON) failed:")
        assert delivery.channel.enabled

        make_due(delivery)
        assert deliver(delivery.pk) == "sent"
    assert len(server.received) == 2


def test_a_url_apprise_does_not_understand_disables_the_channel():
    delivery = DeliveryFactory(channel=apprise_channel("nosuchservice://token@somewhere"))
    assert deliver(delivery.pk) == "held"
    delivery = reload(delivery)
    assert delivery.channel.enabled is False
    assert delivery.channel.disabled_reason == "Apprise does not understand the channel's URL"


@override_settings(NOTIFICATION_MAX_ATTEMPTS=2)
def test_a_delivery_is_dead_after_the_configured_attempts():
    with LoopbackServer(Reply(503)) as server:
        delivery = DeliveryFactory(channel=apprise_channel(json_url(server)))
        assert deliver(delivery.pk) == "pending"
        make_due(delivery)
        assert deliver(delivery.pk) == "dead"
    assert len(server.received) == 2
    assert reload(delivery).status == "dead"
