"""E-mail through Django's SMTP backend to a real SMTP server: text and HTML, 4xx retried, refusals disable."""

from __future__ import annotations

import pytest
from django.test import override_settings

from notifications.dispatch import deliver
from tests.factories.notifications import DeliveryFactory, NotificationFactory, email_channel
from tests.support.deliveries import make_due, reload
from tests.support.smtp import smtp_relay

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp():
    with smtp_relay(DEFAULT_FROM_EMAIL="adolf@shop.example") as sink:
        yield sink


def test_it_sends_a_text_and_html_mail_to_every_recipient(smtp):
    notification = NotificationFactory(title="Возврат средств", message="Оформлен возврат по заказу #7 <важно>")
    delivery = DeliveryFactory(notification=notification, channel=email_channel("a@shop.example", "b@shop.example"))

    assert deliver(delivery.pk) == "sent"

    assert smtp.envelopes == [("adolf@shop.example", ["a@shop.example", "b@shop.example"])]
    [mail] = smtp.messages
    assert mail["Subject"].endswith("Возврат средств")
    assert mail["X-Adolf-Delivery"] == str(delivery.key)
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Оформлен возврат по заказу #7 <важно>" in text
    assert "Оформлен возврат по заказу #7 &lt;важно&gt;" in html
    assert reload(delivery).status == "sent"


def test_a_temporary_refusal_is_retried_then_succeeds(smtp):
    smtp.refuse_next("451 4.7.1 Try again later")
    delivery = DeliveryFactory(channel=email_channel("ops@shop.example"))

    assert deliver(delivery.pk) == "pending"
    delivery = reload(delivery)
    assert delivery.last_error == "SMTP refused every recipient: ops@shop.example (451)"
    assert delivery.channel.enabled

    make_due(delivery)
    assert deliver(delivery.pk) == "sent"
    assert len(smtp.messages) == 1


def test_it_disables_the_channel_when_the_server_rejects_the_recipient_for_good(smtp):
    smtp.refuse_next("550 5.1.1 No such user")
    delivery = DeliveryFactory(channel=email_channel("gone@shop.example"))

    assert deliver(delivery.pk) == "held"  # kept for the channel until it is fixed
    delivery = reload(delivery)
    assert delivery.response_code == 550
    assert delivery.channel.enabled is False
    assert delivery.channel.disabled_reason == "SMTP refused every recipient: gone@shop.example (550)"
    assert smtp.messages == []


@override_settings(
    EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=1,
    NOTIFICATION_MAX_ATTEMPTS=2,
)  # fmt: skip
def test_an_unreachable_server_is_retried_until_the_delivery_is_dead():
    delivery = DeliveryFactory(channel=email_channel("ops@shop.example"))
    assert deliver(delivery.pk) == "pending"
    make_due(delivery)
    assert deliver(delivery.pk) == "dead"
    delivery = reload(delivery)
    assert delivery.last_error.startswith("SMTP server unreachable: ConnectionRefusedError")
    assert delivery.channel.enabled
