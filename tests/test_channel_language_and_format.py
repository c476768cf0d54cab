"""Each channel reads order events in its own language, with names decoded and escaped again for its format."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import override_settings

from notifications.dispatch import deliver
from notifications.models import Delivery, Notification
from notifications.publish import publish
from tests.factories.notifications import email_channel, telegram_channel, webhook_channel
from tests.shop.factories import StoreFactory
from tests.support.loopback import LoopbackServer, Reply
from tests.support.order_events import publish_order_event

pytestmark = pytest.mark.django_db
NBSP = "\xa0"
# Decoded by the parser from "O&#039;Brien &amp; Sons" and "Hoodie &laquo;Ohana&raquo; &ndash; blue".
CUSTOMER = "O'Brien & Sons <VIP>"
ITEM = "Hoodie «Ohana» – blue"


@pytest.fixture
def store():
    return StoreFactory(name="Tea & Co", slug="tea")


def delivered(notification: Notification, channel) -> None:
    assert deliver(Delivery.objects.get(notification=notification, channel=channel).pk) == "sent"


def test_a_telegram_chat_reads_russian_while_an_email_list_reads_english(store):
    with (
        LoopbackServer(Reply(200, {"ok": True, "result": {}})) as telegram,
        override_settings(TELEGRAM_API_BASE=telegram.url),
    ):
        chat = telegram_channel("-100", language="ru")
        email = email_channel("shop@example.com", language="en")
        notification = publish_order_event(store, customer=CUSTOMER, line_items=[{"name": ITEM, "quantity": 1}])

        delivered(notification, chat)
        delivered(notification, email)

    text = telegram.received[0].json()["text"]
    assert text.startswith(f"ℹ️ <b>Новый заказ #1042 на 7{NBSP}057,00{NBSP}₽</b>\n\n")
    # Decoded, then escaped for Telegram's HTML: & < > only, quotes as they are.
    assert "Покупатель: O'Brien &amp; Sons &lt;VIP&gt;, +7 900 123-45-67" in text
    assert f"• {ITEM} × 1" in text
    [message] = mail.outbox
    assert message.subject == "[Info] New order #1042 for RUB7,057.00"
    assert f"Customer: {CUSTOMER}, +7 900 123-45-67" in message.body  # plain text: as people wrote it
    html = message.alternatives[0][0]
    assert "Customer: O&#x27;Brien &amp; Sons &lt;VIP&gt;" in html
    assert "Level: Info" in message.body  # the e-mail's own words in the channel's language too


def test_a_webhook_receives_the_english_text_and_the_names_decoded_in_its_json(store):
    with LoopbackServer(Reply(204)) as receiver:
        hook = webhook_channel(f"{receiver.url}/hook", language="en")
        notification = publish_order_event(store, customer=CUSTOMER)
        delivered(notification, hook)

    body = receiver.received[0].json()
    assert body["title"] == "New order #1042 for RUB7,057.00"
    assert body["message"].startswith("Tea & Co: new paid order #1042")
    assert body["data"]["customer"] == CUSTOMER
    assert body["data"]["store_name"] == "Tea & Co"


def test_a_webhook_channel_may_leave_the_customers_contact_details_out(store):
    with LoopbackServer(Reply(204)) as receiver:
        hook = webhook_channel(f"{receiver.url}/hook", language="en", customer_contact=False)
        notification = publish_order_event(store)
        delivered(notification, hook)

    body = receiver.received[0].json()
    assert "email" not in body["data"]
    assert "phone" not in body["data"]
    assert body["data"]["customer"] == "Анна Смирнова"
    assert "anna@example.com" not in body["message"]
    assert "+7 900" not in body["message"]
    assert "Customer: Анна Смирнова\n" in body["message"]
    # What is stored is whole: only what leaves through that channel is cut.
    assert Notification.objects.get(pk=notification.pk).data["email"] == "anna@example.com"


def test_a_notification_published_with_its_own_text_keeps_it_in_every_language():
    with LoopbackServer(Reply(204)) as receiver:
        hook = webhook_channel(f"{receiver.url}/hook", language="en")
        notification = publish("auth.user.locked", "Учётная запись заблокирована", "Пять неудачных входов", "auth")
        delivered(notification, hook)

    body = receiver.received[0].json()
    assert (body["title"], body["message"]) == ("Учётная запись заблокирована", "Пять неудачных входов")
