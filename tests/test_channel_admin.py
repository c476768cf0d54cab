"""The channel admin: per-kind settings, secrets write-only, test sends, enable and disable."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from notifications.models import Channel
from tests.factories.notifications import BOT_TOKEN, ChannelFactory, telegram_channel
from tests.support.loopback import LoopbackServer, Reply

pytestmark = pytest.mark.django_db
ADD = reverse("admin:notifications_channel_add")
CHANGELIST = reverse("admin:notifications_channel_changelist")


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def form(**values) -> dict:
    data = {"kind": "telegram", "name": "Дежурные", "enabled": "on", "min_level": "info"}
    data.update(values)
    return data


def test_a_telegram_channel_is_saved_with_its_token_encrypted_and_routing_lists(admin_client):
    response = admin_client.post(
        ADD,
        form(
            telegram_chat_id="-1001234567890", telegram_bot_token=BOT_TOKEN,
            event_types_text="shop.order.*, auth.user.locked", stores_text="main",
        ),
    )  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    channel = Channel.objects.get()
    assert channel.configuration == {"chat_id": "-1001234567890", "bot_token": BOT_TOKEN}
    assert channel.event_types == ["shop.order.*", "auth.user.locked"]
    assert channel.stores == ["main"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT configuration FROM notifications_channel")
        [(stored,)] = cursor.fetchall()
    assert BOT_TOKEN not in stored
    assert "1001234567890" not in stored


def test_the_change_page_never_shows_a_stored_secret(admin_client):
    channel = telegram_channel("-100555")
    page = admin_client.get(reverse("admin:notifications_channel_change", args=[channel.pk])).content.decode()
    assert BOT_TOKEN not in page
    assert BOT_TOKEN.split(":")[1] not in page
    assert "-100555" in page  # not a secret: shown for editing


def test_a_secret_left_blank_keeps_the_stored_one_and_a_new_one_replaces_it(admin_client):
    channel = telegram_channel("-100555")
    url = reverse("admin:notifications_channel_change", args=[channel.pk])

    assert admin_client.post(url, form(telegram_chat_id="-100666", telegram_bot_token="")).status_code == 302
    channel.refresh_from_db()
    assert channel.configuration == {"chat_id": "-100666", "bot_token": BOT_TOKEN}

    new_token = "987654321:ZZZhBOweik6ad9r_QXMENQjcrGbqCr4K-ZZ"
    assert admin_client.post(url, form(telegram_chat_id="-100666", telegram_bot_token=new_token)).status_code == 302
    channel.refresh_from_db()
    assert channel.configuration["bot_token"] == new_token


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"telegram_chat_id": "-100555"}, "telegram_bot_token", "This field is required for this kind of channel."),
        ({"telegram_chat_id": "-100555", "telegram_bot_token": "nope"}, "telegram_bot_token", "A bot token looks like"),
        (
            {"kind": "email", "email_recipients": "ops@shop.example, not-an-address"},
            "email_recipients",
            "not-an-address",
        ),
        (
            {"kind": "webhook", "webhook_url": "ftp://x", "webhook_secret": "s" * 16},
            "webhook_url",
            "Enter a valid URL.",
        ),
        ({"kind": "webhook", "webhook_url": "https://x.example/h", "webhook_secret": "short"}, "webhook_secret", "16"),
        ({"kind": "apprise", "apprise_url": "nosuchservice://x"}, "apprise_url", "Apprise does not understand"),
    ],
)
def test_a_bad_setting_is_refused_with_an_error_on_its_field_and_nothing_is_saved(admin_client, values, field, message):
    response = admin_client.post(ADD, form(**values))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors[field])
    assert not Channel.objects.exists()


def test_send_test_notification_reports_success_and_failure(admin_client):
    with LoopbackServer(Reply(200, {"ok": True})) as server, override_settings(TELEGRAM_API_BASE=server.url):
        server.then(Reply(400, {"ok": False, "description": "Bad Request: chat not found"}))
        broken, working = telegram_channel(name="broken"), telegram_channel(name="working")
        response = admin_client.post(
            CHANGELIST,
            {"action": "send_test_notification", "_selected_action": [broken.pk, working.pk]},
            follow=True,
        )
    shown = [str(m) for m in response.context["messages"]]
    assert "broken (Telegram): Telegram answered HTTP 400: Bad Request: chat not found" in shown
    assert "working (Telegram): test notification sent." in shown
    assert "Test notification from ADOLF" in server.received[1].json()["text"]
    broken.refresh_from_db()
    assert broken.last_error == "Telegram answered HTTP 400: Bad Request: chat not found"


def test_channels_are_enabled_and_disabled_from_the_list_and_enabling_clears_the_reason(admin_client):
    channel = ChannelFactory(enabled=False, disabled_reason="Webhook answered HTTP 410")
    admin_client.post(CHANGELIST, {"action": "enable", "_selected_action": [channel.pk]})
    channel.refresh_from_db()
    assert (channel.enabled, channel.disabled_reason) == (True, "")

    admin_client.post(CHANGELIST, {"action": "disable", "_selected_action": [channel.pk]})
    channel.refresh_from_db()
    assert channel.enabled is False
    assert "admin" in channel.disabled_reason


def test_the_channel_list_shows_the_last_error_and_why_a_channel_was_disabled(admin_client):
    ChannelFactory(name="hook", enabled=False, last_error="Webhook answered HTTP 410", disabled_reason="HTTP 410 gone")
    page = admin_client.get(CHANGELIST).content.decode()
    assert "Webhook answered HTTP 410" in page
    assert "HTTP 410 gone" in page
