"""publish_many(): the rows publish() writes for each notification, in bulk, each dedupe key once."""

from __future__ import annotations

from dataclasses import asdict

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Delivery, Notification
from notifications.publish import Publication, PublishError, publish, publish_many
from tests.factories.notifications import ChannelFactory

pytestmark = pytest.mark.django_db


def order(number: int, **overrides) -> Publication:
    fields = {
        "event_type": "shop.order.new", "title": f"Новый заказ #{number}", "message": "2490 ₽",
        "source_module": "shop", "source_id": f"main:{number}", "data": {"store": "main", "number": number},
        "dedupe_key": f"test:order:{number}",
    }  # fmt: skip
    return Publication(**{**fields, **overrides})


def test_each_notification_gets_a_delivery_per_matching_channel_held_for_a_disabled_one(
    django_capture_on_commit_callbacks,
):
    everything = ChannelFactory()
    ChannelFactory(min_level="error")
    disabled = ChannelFactory(enabled=False)

    with django_capture_on_commit_callbacks() as callbacks:
        published = publish_many([order(1), order(2), order(3, level="error")])

    assert [n.title for n in published] == ["Новый заказ #1", "Новый заказ #2", "Новый заказ #3"]
    assert Delivery.objects.filter(channel=everything, status="pending").count() == 3
    assert Delivery.objects.filter(channel=disabled, status="held").count() == 3
    assert Delivery.objects.count() == 3 + 3 + 1  # the error-level channel matches the error only
    assert len(callbacks) == 1  # one dispatch for every pending delivery, after the commit


def test_a_key_published_before_returns_that_notification_and_sends_nothing_more():
    ChannelFactory()
    first = publish(**asdict(order(1)))

    again = publish_many([order(1), order(2), order(2)])

    assert [n.pk for n in again[:1]] == [first.pk]
    assert again[1].pk == again[2].pk
    assert Notification.objects.count() == 2
    assert Delivery.objects.count() == 2


def test_the_queries_do_not_grow_with_the_number_of_notifications():
    ChannelFactory(), ChannelFactory()

    with CaptureQueriesContext(connection) as few:
        publish_many([order(number) for number in range(3)])
    with CaptureQueriesContext(connection) as many:
        publish_many([order(number) for number in range(100, 160)])

    assert len(many) == len(few)
    assert Notification.objects.count() == 63
    assert Delivery.objects.count() == 126


def test_a_bad_publication_is_refused_by_its_place_with_nothing_written():
    ChannelFactory()

    with pytest.raises(PublishError, match="publication 1: level 'loud' is not one of"):
        publish_many([order(1), order(2, level="loud")])

    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()
