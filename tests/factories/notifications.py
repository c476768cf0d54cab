"""Factories for notifications, channels and deliveries."""

from __future__ import annotations

import factory

from notifications.models import Channel, ChannelKind, Delivery, Level, Notification

BOT_TOKEN = "123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-ZZ"
WEBHOOK_SECRET = "whsec-0123456789abcdef-very-secret"


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    event_type = "shop.order.new"
    title = factory.Sequence(lambda n: f"Новый заказ #{1000 + n}")
    message = factory.Sequence(lambda n: f"Заказ #{1000 + n} на сумму 2 490 ₽")
    source_module = "shop"
    source_id = factory.Sequence(lambda n: f"main:{1000 + n}")
    level = Level.INFO
    data = factory.LazyAttribute(lambda o: {"store": "main", "order": o.source_id.split(":")[-1]})
    dedupe_key = factory.Sequence(lambda n: f"test-{n}")


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel

    kind = ChannelKind.WEBHOOK
    name = factory.Sequence(lambda n: f"channel {n}")
    configuration = factory.LazyAttribute(lambda o: {"url": "http://127.0.0.1:9/hook", "secret": WEBHOOK_SECRET})


def webhook_channel(url: str, **kwargs) -> Channel:
    return ChannelFactory(kind=ChannelKind.WEBHOOK, configuration={"url": url, "secret": WEBHOOK_SECRET}, **kwargs)


def telegram_channel(chat_id: str = "4242", **kwargs) -> Channel:
    return ChannelFactory(
        kind=ChannelKind.TELEGRAM, configuration={"chat_id": chat_id, "bot_token": BOT_TOKEN}, **kwargs
    )


def email_channel(*recipients: str, **kwargs) -> Channel:
    return ChannelFactory(kind=ChannelKind.EMAIL, configuration={"recipients": list(recipients)}, **kwargs)


def apprise_channel(url: str, **kwargs) -> Channel:
    return ChannelFactory(kind=ChannelKind.APPRISE, configuration={"url": url}, **kwargs)


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery

    notification = factory.SubFactory(NotificationFactory)
    channel = factory.SubFactory(ChannelFactory)
