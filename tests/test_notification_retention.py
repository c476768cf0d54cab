"""Notifications and the order data they carry are kept NOTIFICATION_RETENTION_DAYS (180 by default), pruned daily."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from notifications.models import Delivery, Notification, NotificationRead
from notifications.tasks import prune_notifications
from shop.models import OrderEvent
from shop.tasks import prune_history
from tests.factories.notifications import ChannelFactory
from tests.shop.factories import StoreFactory
from tests.support.order_events import publish_order_event

pytestmark = pytest.mark.django_db


def age(notification: Notification, days: int) -> None:
    moment = timezone.now() - timedelta(days=days)
    Notification.objects.filter(pk=notification.pk).update(created=moment)
    OrderEvent.objects.filter(order_id=notification.data["order_id"]).update(detected_at=moment)


def test_the_default_is_180_days_and_beat_prunes_daily():
    task = PeriodicTask.objects.get(task="notifications.prune_notifications")
    assert django_settings.NOTIFICATION_RETENTION_DAYS == 180
    assert (task.enabled, task.interval.every, task.interval.period) == (True, 1, "days")


def test_old_notifications_go_with_their_deliveries_and_read_marks(settings, django_user_model):
    settings.NOTIFICATION_RETENTION_DAYS = 30
    ChannelFactory()
    store = StoreFactory()
    old = publish_order_event(store, order_id=1)
    kept = publish_order_event(store, order_id=2)
    NotificationRead.objects.create(notification=old, user=django_user_model.objects.create_user("olga"))
    age(old, 31)
    age(kept, 29)

    assert prune_notifications() == 1

    assert list(Notification.objects.values_list("pk", flat=True)) == [kept.pk]
    assert list(Delivery.objects.values_list("notification", flat=True)) == [kept.pk]
    assert not NotificationRead.objects.exists()


def test_old_order_events_forget_their_customer_details_but_keep_the_status_they_remember(settings):
    settings.NOTIFICATION_RETENTION_DAYS = 30
    store = StoreFactory()
    old = publish_order_event(store, order_id=1)
    kept = publish_order_event(store, order_id=2)
    age(old, 31)

    assert prune_history()["event_snapshots"] == 1

    forgotten = OrderEvent.objects.get(order_id=1)
    assert (forgotten.snapshot, forgotten.to_status) == ({}, "processing")
    assert OrderEvent.objects.get(order_id=2).snapshot["email"] == "anna@example.com"
    assert kept.data["customer"] == "Анна Смирнова"
