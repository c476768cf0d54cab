"""Telegram: sendMessage with escaped HTML within 4096 characters, 429 retry_after, blocked bots disable."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.test import override_settings

from notifications.dispatch import deliver
from notifications.transports.telegram.transport import MESSAGE_LIMIT, render, truncate_escaped, utf16_length
from tests.factories.notifications import BOT_TOKEN, DeliveryFactory, NotificationFactory, telegram_channel
from tests.support.deliveries import make_due, reload
from tests.support.loopback import LoopbackServer, Reply

pytestmark = pytest.mark.django_db
OK = Reply(200, {"ok": True, "result": {"message_id": 1}})


@pytest.fixture
def telegram():
    """A stand-in for api.telegram.org."""
    with LoopbackServer(OK) as server, override_settings(TELEGRAM_API_BASE=server.url):
        yield server


def error(code: int, description: str, **parameters) -> Reply:
    body = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return Reply(code, body)


def test_it_sends_an_html_message_with_the_title_escaped(telegram):
    notification = NotificationFactory(title="Заказ <#1042> & Co", message="Сумма: 2 490 ₽ <b>не тег</b>")
    delivery = DeliveryFactory(notification=notification, channel=telegram_channel("-1001234567890"))

    assert deliver(delivery.pk) == "sent"

    [request] = telegram.received
    assert request.path == f"/bot{BOT_TOKEN}/sendMessage"
    body = request.json()
    assert body["chat_id"] == "-1001234567890"
    assert body["parse_mode"] == "HTML"
    assert "<b>Заказ &lt;#1042&gt; &amp; Co</b>" in body["text"]
    assert "Сумма: 2 490 ₽ &lt;b&gt;не тег&lt;/b&gt;" in body["text"]


def test_a_long_message_is_cut_to_the_4096_character_limit_with_an_ellipsis(telegram):
    notification = NotificationFactory(message="Товар & " * 2000)
    delivery = DeliveryFactory(notification=notification, channel=telegram_channel())

    assert deliver(delivery.pk) == "sent"

    text = telegram.received[0].json()["text"]
    assert utf16_length(text) <= MESSAGE_LIMIT
    assert "…" in text
    assert text.endswith("</i>")


def test_cutting_never_splits_an_html_entity():
    cut = truncate_escaped("a" * 10 + "&amp;" + "b" * 10, 14)
    assert cut == "a" * 10 + "…"
    emoji = truncate_escaped("😀" * 10, 7)  # each emoji is two UTF-16 units
    assert utf16_length(emoji) <= 7


def test_the_text_fits_even_when_the_title_and_source_are_long():
    notification = NotificationFactory.build(title="Т" * 255, message="😀" * 5000, source_id="x" * 255)
    assert utf16_length(render(notification)) <= MESSAGE_LIMIT


def test_429_retry_after_from_the_answer_is_honoured(telegram):
    telegram.then(error(429, "Too Many Requests: retry after 5", retry_after=5))
    delivery = DeliveryFactory(channel=telegram_channel())

    assert deliver(delivery.pk) == "pending"
    delivery = reload(delivery)
    assert delivery.next_attempt_at - delivery.last_attempt_at == timedelta(seconds=5)
    assert delivery.last_error == "Telegram answered HTTP 429: Too Many Requests: retry after 5"

    make_due(delivery)
    assert deliver(delivery.pk) == "sent"
    assert len(telegram.received) == 2


def test_a_server_error_is_retried_then_succeeds(telegram):
    telegram.then(error(502, "Bad Gateway"))
    delivery = DeliveryFactory(channel=telegram_channel())
    assert deliver(delivery.pk) == "pending"
    make_due(delivery)
    assert deliver(delivery.pk) == "sent"
    assert reload(delivery).attempts == 2


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (error(400, "Bad Request: chat not found"), "Telegram answered HTTP 400: Bad Request: chat not found"),
        (
            error(403, "Forbidden: bot was blocked by the user"),
            "Telegram answered HTTP 403: Forbidden: bot was blocked by the user",
        ),
        (error(401, "Unauthorized"), "Telegram answered HTTP 401: Unauthorized"),
    ],
)
def test_it_disables_the_channel_when_the_chat_or_the_bot_is_gone_and_shows_why(telegram, reply, reason):
    telegram.then(reply)
    channel = telegram_channel()
    first, second = DeliveryFactory(channel=channel), DeliveryFactory(channel=channel)

    assert deliver(first.pk) == "held"
    first = reload(first)
    assert first.channel.enabled is False
    assert first.channel.disabled_reason == reason
    assert BOT_TOKEN not in first.channel.last_error

    # Nothing more goes to a disabled channel: what was waiting is kept for it, untried.
    assert reload(second).status == "held"
    assert deliver(second.pk) is None
    assert (reload(second).attempts, reload(second).last_error) == (0, "")
    assert len(telegram.received) == 1


def test_a_group_upgraded_to_a_supergroup_is_followed(telegram):
    telegram.then(error(400, "Bad Request: group chat was upgraded to a supergroup chat", migrate_to_chat_id=-100777))
    delivery = DeliveryFactory(channel=telegram_channel("-4242"))

    assert deliver(delivery.pk) == "pending"
    assert reload(delivery).channel.configuration["chat_id"] == "-100777"
    assert deliver(delivery.pk) == "sent"  # retry_after 0: due at once
    assert telegram.received[-1].json()["chat_id"] == "-100777"


def test_an_unreachable_api_is_retried_and_the_token_never_appears_in_the_error():
    with override_settings(TELEGRAM_API_BASE="http://127.0.0.1:1"):
        delivery = DeliveryFactory(channel=telegram_channel())
        assert deliver(delivery.pk) == "pending"
    delivery = reload(delivery)
    assert delivery.last_error == "Telegram: no answer (ConnectError)"
    assert BOT_TOKEN not in delivery.channel.last_error


@override_settings(NOTIFICATION_MAX_ATTEMPTS=2)
def test_a_delivery_is_dead_after_the_configured_attempts(telegram):
    telegram.then(error(500, "Internal Server Error"), error(500, "Internal Server Error"))
    delivery = DeliveryFactory(channel=telegram_channel())
    assert deliver(delivery.pk) == "pending"
    make_due(delivery)
    assert deliver(delivery.pk) == "dead"
    delivery = reload(delivery)
    assert (delivery.attempts, delivery.last_error) == (2, "Telegram answered HTTP 500: Internal Server Error")
    assert delivery.channel.enabled


def test_the_bot_token_is_never_logged(telegram, caplog):
    telegram.then(error(403, "Forbidden: bot was blocked by the user"))
    with caplog.at_level(logging.DEBUG):
        deliver(DeliveryFactory(channel=telegram_channel()).pk)
        deliver(DeliveryFactory(channel=telegram_channel()).pk)
    assert "blocked" in caplog.text  # the disabling is logged...
    assert BOT_TOKEN not in caplog.text  # ...the token is not
