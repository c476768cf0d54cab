"""Notification and delivery history in the admin: read-only, filterable, deliveries retried on demand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Delivery
from tests.factories.notifications import ChannelFactory, DeliveryFactory, NotificationFactory

pytestmark = pytest.mark.django_db
NOTIFICATIONS = reverse("admin:notifications_notification_changelist")
DELIVERIES = reverse("admin:notifications_delivery_changelist")


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def listed(admin_client, url: str, **query) -> set[int]:
    response = admin_client.get(url, query)
    assert response.status_code == 200
    return {obj.pk for obj in response.context["cl"].result_list}


def test_notifications_are_filtered_by_level_event_type_module_store_and_date(admin_client):
    new = NotificationFactory(event_type="shop.order.new", data={"store": "main"})
    failed = NotificationFactory(event_type="shop.order.failed", level="error", data={"store": "outlet"})
    locked = NotificationFactory(event_type="auth.user.locked", source_module="auth", level="warning", data={})
    old = NotificationFactory(created=timezone.now() - timedelta(days=40))

    assert listed(admin_client, NOTIFICATIONS, level="error") == {failed.pk}
    assert listed(admin_client, NOTIFICATIONS, event_type="shop.order.new") == {new.pk, old.pk}
    assert listed(admin_client, NOTIFICATIONS, source_module="auth") == {locked.pk}
    assert listed(admin_client, NOTIFICATIONS, store="outlet") == {failed.pk}
    since = (timezone.now() - timedelta(days=7)).isoformat()
    assert listed(admin_client, NOTIFICATIONS, created__gte=since) == {new.pk, failed.pk, locked.pk}


def test_the_store_filter_offers_the_stores_seen_in_notifications(admin_client):
    NotificationFactory(data={"store": "main"})
    NotificationFactory(data={"store": "outlet"})
    page = admin_client.get(NOTIFICATIONS).content.decode()
    assert "?store=main" in page
    assert "?store=outlet" in page


def test_notifications_and_deliveries_cannot_be_added_or_edited_by_hand(admin_client):
    delivery = DeliveryFactory()
    assert admin_client.get(reverse("admin:notifications_notification_add")).status_code == 403
    assert admin_client.get(reverse("admin:notifications_delivery_add")).status_code == 403
    url = reverse("admin:notifications_notification_change", args=[delivery.notification.pk])
    page = admin_client.get(url)
    assert page.status_code == 200  # viewable
    assert admin_client.post(url, {"title": "changed"}).status_code == 403


def test_deliveries_are_filtered_by_status(admin_client):
    dead = DeliveryFactory(status="dead")
    DeliveryFactory(status="sent")
    assert listed(admin_client, DELIVERIES, status__exact="dead") == {dead.pk}


def test_retry_now_gives_dead_and_failed_deliveries_a_fresh_start_and_skips_disabled_channels(admin_client):
    dead = DeliveryFactory(status="dead", attempts=8, next_attempt_at=timezone.now() + timedelta(hours=1))
    failed = DeliveryFactory(status="failed", attempts=1, last_error="HTTP 400")
    sent = DeliveryFactory(status="sent", attempts=1)
    off = DeliveryFactory(status="failed", channel=ChannelFactory(enabled=False))

    response = admin_client.post(
        DELIVERIES, {"action": "retry_now", "_selected_action": [dead.pk, failed.pk, sent.pk, off.pk]}, follow=True
    )

    shown = [str(m) for m in response.context["messages"]]
    assert shown == [
        "2 deliveries queued again.",
        "1 delivery skipped: its channel is disabled; enable it first.",
    ]
    for delivery in (dead, failed):
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 0, "")
        assert delivery.next_attempt_at <= timezone.now()
    assert Delivery.objects.get(pk=sent.pk).status == "sent"
    assert Delivery.objects.get(pk=off.pk).status == "failed"
