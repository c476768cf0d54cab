"""A channel an error shows broken is disabled once, with one alert to the inbox and the other channels and a reason."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from notifications import channels
from notifications.dispatch import deliver
from notifications.models import Channel, Delivery, Notification
from notifications.publish import publish
from tests.factories.notifications import ChannelFactory, DeliveryFactory, telegram_channel, webhook_channel
from tests.support.deliveries import reload
from tests.support.loopback import LoopbackServer, Reply

pytestmark = pytest.mark.django_db
BLOCKED = Reply(403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"})
REASON = "Telegram answered HTTP 403: Forbidden: bot was blocked by the user"


@pytest.fixture
def telegram():
    with LoopbackServer(BLOCKED) as server, override_settings(TELEGRAM_API_BASE=server.url):
        yield server


def test_a_blocked_bot_disables_its_channel_and_one_alert_reaches_the_inbox_and_the_other_channels(
    telegram, django_capture_on_commit_callbacks
):
    chat = telegram_channel(name="Дежурный чат")
    webhook_channel("http://127.0.0.1:9/ops", name="ops hook")
    orders_only = webhook_channel("http://127.0.0.1:9/orders", name="orders only", event_types=["shop.order.*"])
    first = publish("shop.order.new", "Новый заказ", "#1", "shop", "main:1").deliveries.get(channel=chat)
    waiting = publish("shop.order.new", "Новый заказ", "#2", "shop", "main:2").deliveries.get(channel=chat)

    with django_capture_on_commit_callbacks(execute=False):
        assert deliver(first.pk) == "held"

    chat = Channel.objects.get(pk=chat.pk)
    assert (chat.enabled, chat.disabled_reason) == (False, REASON)
    assert chat.disabled_at is not None
    [alert] = Notification.objects.filter(event_type=channels.CHANNEL_DISABLED)
    assert (alert.level, alert.source_module, alert.source_id) == ("error", "notifications", str(chat.pk))
    assert alert.title == "Канал Дежурный чат выключен"
    assert REASON in alert.message
    # Through the other enabled channels whose rules take it; never through the broken one.
    assert set(alert.deliveries.values_list("channel__name", "status")) == {("ops hook", "pending")}
    assert orders_only.deliveries.filter(notification=alert).count() == 0
    # What waited for the broken channel is kept for it, untried.
    assert (reload(waiting).status, reload(waiting).attempts) == ("held", 0)
    assert len(telegram.received) == 1


def test_racing_failures_disable_the_channel_and_alert_once(telegram):
    chat = telegram_channel()

    assert channels.broken(chat.pk, REASON, timezone.now()) is True
    assert channels.broken(chat.pk, REASON, timezone.now()) is False
    assert Notification.objects.filter(event_type=channels.CHANNEL_DISABLED).count() == 1


def test_an_unusable_url_disables_the_channel():
    delivery = DeliveryFactory(channel=webhook_channel("ftp://hooks.example/adolf"))

    assert deliver(delivery.pk) == "held"
    delivery = reload(delivery)
    assert (delivery.channel.enabled, delivery.channel.disabled_reason) == (False, "Webhook: the URL is not usable")


def test_the_channel_page_says_why_it_is_off_and_how_many_notifications_it_kept(admin_client, settings):
    settings.LANGUAGE_CODE = "en"
    chat = ChannelFactory(enabled=False, disabled_reason=REASON, disabled_at=timezone.now())
    DeliveryFactory.create_batch(3, channel=chat, status="held")

    page = admin_client.get(reverse("admin:notifications_channel_change", args=[chat.pk])).content.decode()
    listing = admin_client.get(reverse("admin:notifications_channel_changelist")).content.decode()

    assert REASON in page
    assert "3 notifications kept while disabled" in page
    assert REASON in listing
    assert '<td class="field-kept">3</td>' in listing
    assert Delivery.objects.filter(channel=chat, status="held").count() == 3
