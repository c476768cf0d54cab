"""publish(): one notification per dedupe key, its deliveries in the same transaction, dispatch after commit."""

from __future__ import annotations

import pytest
from django.db import transaction

from notifications.models import Delivery, Notification
from notifications.publish import NotificationPublisher, PublishError, publish
from tests.factories.notifications import ChannelFactory

pytestmark = pytest.mark.django_db


def publish_order(**overrides):
    fields = {
        "event_type": "shop.order.new", "title": "Новый заказ", "message": "Заказ #1042 на сумму 2490 ₽",
        "source_module": "shop", "source_id": "main:1042", "level": "info", "data": {"store": "main", "total": "2490"},
    }  # fmt: skip
    return publish(**{**fields, **overrides})


def test_it_records_the_notification_and_one_delivery_per_matching_channel(django_capture_on_commit_callbacks):
    everything = ChannelFactory()
    ChannelFactory(min_level="error")
    disabled = ChannelFactory(enabled=False)

    with django_capture_on_commit_callbacks() as callbacks:
        notification = publish_order()

    assert notification.title == "Новый заказ"
    assert notification.data == {"store": "main", "total": "2490"}
    assert set(notification.deliveries.values_list("channel_id", "status", "attempts")) == {
        (everything.pk, "pending", 0),
        (disabled.pk, "held", 0),  # kept for it until it is enabled again
    }
    assert len(callbacks) == 1  # the dispatch, queued for after the commit


def test_the_same_publish_call_repeated_gives_one_notification_and_one_delivery_per_channel(
    django_capture_on_commit_callbacks,
):
    ChannelFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        first = publish_order()
        second = publish_order()

    assert second.pk == first.pk
    assert Notification.objects.count() == 1
    assert Delivery.objects.count() == 1
    assert len(callbacks) == 1


def test_the_first_notification_of_a_dedupe_key_wins():
    first = publish_order(dedupe_key="main:1042:new")
    again = publish_order(title="Новый заказ (повтор)", dedupe_key="main:1042:new")
    assert again.pk == first.pk
    assert again.title == "Новый заказ"


def test_a_different_event_of_the_same_source_is_a_new_notification():
    paid = publish_order()
    refunded = publish_order(event_type="shop.order.refunded", title="Возврат средств")
    assert paid.pk != refunded.pk


def test_an_explicit_dedupe_key_tells_identical_repeated_events_apart():
    first = publish_order(event_type="shop.order.cancelled", dedupe_key="main:1042:cancelled:1")
    again = publish_order(event_type="shop.order.cancelled", dedupe_key="main:1042:cancelled:2")
    assert first.pk != again.pk


def test_a_rolled_back_transaction_leaves_no_notification_and_dispatches_nothing(django_capture_on_commit_callbacks):
    ChannelFactory()

    def order_event_then_failure() -> None:
        with transaction.atomic():
            publish_order()
            raise RuntimeError("the caller's order event failed")

    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError):
            order_event_then_failure()

    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()
    assert callbacks == []


def test_a_notification_without_channels_is_still_recorded_for_the_inbox(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        notification = publish_order()
    assert Notification.objects.get() == notification
    assert callbacks == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"event_type": " "}, "event_type is empty"),
        ({"title": ""}, "title is empty"),
        ({"source_module": ""}, "source_module is empty"),
        ({"level": "critical"}, "level 'critical' is not one of: info, warning, error"),
        ({"data": ["not", "an", "object"]}, "data must be a JSON object, not list"),
        ({"data": {"when": object()}}, "data is not JSON-serialisable"),
        ({"event_type": "shop." + "x" * 100}, "event_type is longer than 100 characters"),
        ({"source_id": "x" * 256}, "source_id is longer than 255 characters"),
        ({"dedupe_key": "k" * 256}, "dedupe_key is longer than 255 characters"),
    ],
)
def test_a_malformed_notification_is_refused_with_a_clear_error_and_nothing_is_written(overrides, message):
    ChannelFactory()
    with pytest.raises(PublishError, match=message):
        publish_order(**overrides)
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()


def test_the_seed_publisher_interface_publishes_with_the_same_arguments():
    notification = NotificationPublisher().publish(
        event_type="shop.order.failed", title="Ошибка оплаты", message="Не удалась оплата заказа #7",
        source_module="shop", source_id=7, level="error", data={"store": "main"},
    )  # fmt: skip
    assert (notification.source_id, notification.level) == ("7", "error")
