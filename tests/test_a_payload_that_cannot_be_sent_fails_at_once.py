"""A notification the service refuses as such fails at once with the reason; the channel stays on for the rest.

An error that recurs on every attempt never burns the attempt budget, and one bad
notification never silences a whole channel.
"""

from __future__ import annotations

import pytest
from django.core.mail import BadHeaderError
from django.test import override_settings

from notifications.dispatch import deliver
from notifications.transports import Fault
from notifications.transports.transport import unexpected_failure
from tests.factories.notifications import DeliveryFactory, email_channel, telegram_channel, webhook_channel
from tests.support.deliveries import reload
from tests.support.loopback import LoopbackServer, Reply
from tests.support.smtp import SmtpSink

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", [400, 413, 422])
def test_a_webhook_receiver_refusing_the_body_fails_that_delivery_and_the_next_one_goes_through(status):
    with LoopbackServer(Reply(204)) as server:
        server.then(Reply(status, {"error": "malformed"}))
        channel = webhook_channel(server.url)
        refused, next_one = DeliveryFactory(channel=channel), DeliveryFactory(channel=channel)

        assert deliver(refused.pk) == "failed"
        assert deliver(next_one.pk) == "sent"

    refused = reload(refused)
    assert (refused.status, refused.attempts, refused.last_error) == ("failed", 1, f"Webhook answered HTTP {status}")
    assert refused.channel.enabled
    assert refused.channel.last_error == f"Webhook answered HTTP {status}"
    assert len(server.received) == 2


@pytest.mark.parametrize(
    "description", ["Bad Request: message is too long", "Bad Request: can't parse entities: unclosed tag"]
)
def test_telegram_refusing_the_message_fails_that_delivery_and_keeps_the_chat(description):
    ok = Reply(200, {"ok": True, "result": {"message_id": 1}})
    with LoopbackServer(ok) as telegram, override_settings(TELEGRAM_API_BASE=telegram.url):
        telegram.then(Reply(400, {"ok": False, "error_code": 400, "description": description}))
        channel = telegram_channel()
        refused, next_one = DeliveryFactory(channel=channel), DeliveryFactory(channel=channel)

        assert deliver(refused.pk) == "failed"
        assert deliver(next_one.pk) == "sent"

    refused = reload(refused)
    assert (refused.attempts, refused.last_error) == (1, f"Telegram answered HTTP 400: {description}")
    assert refused.channel.enabled


def test_an_smtp_server_rejecting_the_message_fails_that_mail_and_keeps_the_channel():
    with (
        SmtpSink() as smtp,
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=smtp.port
        ),
    ):
        smtp.refuse_data_next("554 5.6.0 Message content rejected")
        channel = email_channel("ops@shop.example")
        refused, next_one = DeliveryFactory(channel=channel), DeliveryFactory(channel=channel)

        assert deliver(refused.pk) == "failed"
        assert deliver(next_one.pk) == "sent"

    refused = reload(refused)
    assert (refused.attempts, refused.response_code) == (1, 554)
    assert refused.last_error == "SMTP answered 554: 5.6.0 Message content rejected"
    assert refused.channel.enabled
    assert len(smtp.messages) == 1


def test_an_error_building_what_is_sent_fails_the_delivery_and_anything_else_untyped_is_retried():
    assert unexpected_failure(BadHeaderError("Header values can't contain newlines")).fault is Fault.DELIVERY
    assert unexpected_failure(UnicodeEncodeError("ascii", "й", 0, 1, "no")).fault is Fault.DELIVERY
    assert unexpected_failure(RuntimeError("a bug, fixed by the next deploy")).fault is Fault.TRANSIENT
