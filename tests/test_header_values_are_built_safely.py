"""Text that goes into a header (mail subject, webhook and callback headers, Telegram and Apprise titles) is made safe.

A newline in a title or an event type would otherwise fail every attempt (Django's
BadHeaderError, h11's LocalProtocolError) until the delivery is dead.
"""

from __future__ import annotations

import pytest
from django.test import override_settings

from adolf.headers import http_header_value, one_line
from integrations.callbacks import call_service
from notifications.dispatch import deliver
from tests.factories.notifications import (
    DeliveryFactory,
    NotificationFactory,
    apprise_channel,
    email_channel,
    telegram_channel,
    webhook_channel,
)
from tests.integrations.conftest import make_service
from tests.support.deliveries import reload
from tests.support.loopback import LoopbackServer, Reply
from tests.support.smtp import SmtpSink

pytestmark = pytest.mark.django_db
TITLE = "Payment failed\nCard declined"


def test_line_breaks_and_control_characters_become_one_space():
    assert one_line("Payment failed\nCard declined") == "Payment failed Card declined"
    assert one_line(" a \r\n\r\n b\x00c\u2028d\t") == "a b c d"
    assert (
        http_header_value("заказ.новый\r\nX-Injected: 1")
        == "%D0%B7%D0%B0%D0%BA%D0%B0%D0%B7.%D0%BD%D0%BE%D0%B2%D1%8B%D0%B9 X-Injected: 1"
    )
    assert http_header_value("100% done") == "100%25 done"


def test_a_title_with_a_newline_arrives_once_as_a_one_line_mail_subject():
    with (
        SmtpSink() as smtp,
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=smtp.port, DEFAULT_FROM_EMAIL="adolf@shop.example",
        ),
    ):  # fmt: skip
        notification = NotificationFactory(title=TITLE, level="error", event_type="shop.order\nfailed")
        delivery = DeliveryFactory(notification=notification, channel=email_channel("ops@shop.example"))

        assert deliver(delivery.pk) == "sent"

    [mail] = smtp.messages
    assert mail["Subject"].strip() == "[Ошибка] Payment failed Card declined"  # one line, in the default language
    assert mail["X-Adolf-Event"] == "shop.order failed"
    assert (reload(delivery).attempts, reload(delivery).last_error) == (1, "")


def test_a_webhook_event_header_is_one_line_of_ascii_and_the_body_keeps_the_exact_value():
    with LoopbackServer(Reply(204)) as server:
        notification = NotificationFactory(event_type="заказ.новый\nX-Injected: 1", title=TITLE)
        delivery = DeliveryFactory(notification=notification, channel=webhook_channel(server.url))

        assert deliver(delivery.pk) == "sent"

    [request] = server.received
    assert request.headers["X-Adolf-Event"] == http_header_value("заказ.новый\nX-Injected: 1")
    assert "X-Injected" not in {name for name in request.headers if name != "X-Adolf-Event"}
    assert request.json()["event_type"] == "заказ.новый\nX-Injected: 1"
    assert request.json()["title"] == TITLE


def test_a_telegram_title_is_one_bold_line():
    with LoopbackServer(Reply(200, {"ok": True, "result": {"message_id": 1}})) as telegram:
        with override_settings(TELEGRAM_API_BASE=telegram.url):
            notification = NotificationFactory(title=TITLE, message="Карта отклонена", level="error")
            delivery = DeliveryFactory(notification=notification, channel=telegram_channel())
            assert deliver(delivery.pk) == "sent"

    assert telegram.received[0].json()["text"].startswith("🛑 <b>Payment failed Card declined</b>\n\nКарта отклонена")


def test_an_apprise_title_is_one_line():
    with LoopbackServer(Reply(200, {"ok": True})) as server:
        url = f"json://{server.url.removeprefix('http://')}/notify"
        notification = NotificationFactory(title=TITLE, message="Карта отклонена")
        delivery = DeliveryFactory(notification=notification, channel=apprise_channel(url))
        assert deliver(delivery.pk) == "sent"

    assert server.received[0].json()["title"] == "Payment failed Card declined"


def test_a_callback_carries_a_foreign_task_id_and_token_as_safe_headers():
    with LoopbackServer(Reply(200, {"done": True})) as service_server:
        service = make_service("auth", service_server.url, token="tok\nen")
        answer = call_service(service, "auth.cleanup_expired_tokens", "id-1\r\nX-Evil: 1", {"days": 7})

    assert answer == {"done": True}
    [request] = service_server.received
    assert request.headers["Idempotency-Key"] == "id-1 X-Evil: 1"
    assert request.headers["Authorization"] == "Bearer tok en"
    assert "X-Evil" not in request.headers
