"""What is published for a disabled channel is kept for it; enabling it again sends it or drops it, as chosen."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications import channels
from notifications.dispatch import deliver
from notifications.models import Channel, Delivery
from notifications.publish import publish
from tests.factories.notifications import DeliveryFactory, webhook_channel
from tests.support.loopback import LoopbackServer, Reply

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:notifications_channel_changelist")


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def statuses(channel: Channel) -> list[str]:
    return list(channel.deliveries.order_by("pk").values_list("status", flat=True))


def test_notifications_published_while_a_channel_is_disabled_are_held_for_it_and_sent_when_it_is_enabled(
    django_capture_on_commit_callbacks,
):
    with LoopbackServer(Reply(204)) as server:
        hook = webhook_channel(server.url, enabled=False)
        with django_capture_on_commit_callbacks(execute=True) as queued:
            for number in (1, 2):
                publish("shop.order.new", "Новый заказ", f"#{number}", "shop", f"main:{number}")
        assert queued == []  # nothing is dispatched to a disabled channel
        assert statuses(hook) == ["held", "held"]

        with django_capture_on_commit_callbacks() as queued:
            result = channels.enable([hook.pk], held=channels.SEND)
        assert result == channels.Enabled(channels=1, sent=2, dropped=0)
        assert len(queued) == 1  # the held deliveries, dispatched after the commit
        for delivery in hook.deliveries.all():
            assert (delivery.status, delivery.attempts) == ("pending", 0)
            assert deliver(delivery.pk) == "sent"

    assert sorted(r.json()["message"] for r in server.received) == ["#1", "#2"]


def test_enabling_a_channel_can_drop_what_was_kept_for_it():
    hook = webhook_channel("http://127.0.0.1:9/hook", enabled=False)
    publish("shop.order.new", "Новый заказ", "#1", "shop", "main:1")

    assert channels.enable([hook.pk], held=channels.DROP) == channels.Enabled(channels=1, sent=0, dropped=1)
    assert statuses(hook) == ["dropped"]
    assert hook.deliveries.get().last_error == "Dropped when the channel was enabled again"
    assert Channel.objects.get(pk=hook.pk).enabled


def test_the_enable_action_first_asks_whether_to_send_or_drop_with_the_counts(admin_client):
    kept = webhook_channel("http://127.0.0.1:9/a", name="kept hook", enabled=False, disabled_reason="HTTP 410")
    empty = webhook_channel("http://127.0.0.1:9/b", name="empty hook", enabled=False)
    DeliveryFactory.create_batch(2, channel=kept, status="held")

    question = admin_client.post(CHANGELIST, {"action": "enable", "_selected_action": [kept.pk, empty.pk]})
    page = question.content.decode()
    assert question.status_code == 200
    assert "2 notifications were kept while these channels were disabled" in page
    assert "HTTP 410" in page
    assert not Channel.objects.filter(enabled=True).exists()  # nothing changed yet

    answer = admin_client.post(
        CHANGELIST, {"action": "enable", "_selected_action": [kept.pk, empty.pk], "kept": "send"}, follow=True
    )
    assert [str(m) for m in answer.context["messages"]] == ["2 channels enabled. 2 kept notifications queued."]
    assert statuses(kept) == ["pending", "pending"]
    assert Channel.objects.filter(enabled=True).count() == 2


def test_the_enable_action_enables_at_once_when_nothing_was_kept(admin_client):
    hook = webhook_channel("http://127.0.0.1:9/a", enabled=False)

    answer = admin_client.post(CHANGELIST, {"action": "enable", "_selected_action": [hook.pk]}, follow=True)

    assert [str(m) for m in answer.context["messages"]] == ["1 channel enabled."]
    assert Channel.objects.get(pk=hook.pk).enabled


def test_enabling_from_the_change_form_requires_a_choice_and_drops_when_told(admin_client):
    hook = webhook_channel("http://127.0.0.1:9/a", enabled=False)
    DeliveryFactory(channel=hook, status="held")
    url = reverse("admin:notifications_channel_change", args=[hook.pk])
    form = {
        "kind": "webhook",
        "name": hook.name,
        "enabled": "on",
        "min_level": "info",
        "webhook_url": "",
        "webhook_secret": "",
    }

    refused = admin_client.post(url, form)
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["kept"] == [
        "Choose whether to send or drop them before enabling the channel."
    ]

    answer = admin_client.post(url, {**form, "kept": "drop"}, follow=True)
    assert "1 channel enabled. 1 kept notification dropped." in [str(m) for m in answer.context["messages"]]
    assert statuses(hook) == ["dropped"]
    assert Channel.objects.get(pk=hook.pk).enabled


def test_disabling_a_channel_by_hand_holds_what_waits_for_it(admin_client):
    hook = webhook_channel("http://127.0.0.1:9/a")
    waiting = DeliveryFactory(channel=hook)
    sent = DeliveryFactory(channel=hook, status="sent")

    admin_client.post(CHANGELIST, {"action": "disable", "_selected_action": [hook.pk]})

    hook.refresh_from_db()
    assert (hook.enabled, hook.disabled_reason) == (False, "Disabled by admin")
    assert Delivery.objects.get(pk=waiting.pk).status == "held"
    assert Delivery.objects.get(pk=sent.pk).status == "sent"
