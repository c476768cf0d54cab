"""Retries wait with exponential backoff and full jitter, or as long as the peer asked (429)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings

from notifications import dispatch
from notifications.dispatch import deliver
from tests.factories.notifications import DeliveryFactory, webhook_channel
from tests.support.deliveries import make_due, reload
from tests.support.loopback import LoopbackServer, Reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch):
    """Record what would be sent to the broker, with its countdown."""
    calls: list[tuple[list[int], float | None]] = []
    monkeypatch.setattr(dispatch, "enqueue", lambda ids, countdown=None: calls.append((list(ids), countdown)))
    return calls


@override_settings(NOTIFICATION_RETRY_BASE_SECONDS=10, NOTIFICATION_RETRY_CAP_SECONDS=10_000)
def test_each_retry_waits_at_most_twice_as_long_as_the_one_before(enqueued):
    with LoopbackServer(Reply(503)) as server:
        delivery = DeliveryFactory(channel=webhook_channel(server.url))
        for attempt in range(1, 6):
            deliver(delivery.pk)
            delivery = reload(delivery)
            wait = delivery.next_attempt_at - delivery.last_attempt_at
            assert timedelta(0) <= wait <= timedelta(seconds=10 * 2 ** (attempt - 1))
            make_due(delivery)


@override_settings(NOTIFICATION_RETRY_BASE_SECONDS=600, NOTIFICATION_RETRY_CAP_SECONDS=600)
def test_a_429_retry_after_is_honoured_exactly_and_sent_as_a_countdown(enqueued):
    with LoopbackServer(Reply(429, headers={"Retry-After": "7"})) as server:
        delivery = DeliveryFactory(channel=webhook_channel(server.url))
        assert deliver(delivery.pk) == "pending"
    delivery = reload(delivery)
    assert delivery.next_attempt_at - delivery.last_attempt_at == timedelta(seconds=7)
    assert enqueued == [([delivery.pk], 7)]


def test_a_wait_longer_than_five_minutes_is_left_to_the_sweeper_not_to_a_countdown(enqueued):
    with LoopbackServer(Reply(429, headers={"Retry-After": "3600"})) as server:
        delivery = DeliveryFactory(channel=webhook_channel(server.url))
        assert deliver(delivery.pk) == "pending"
    assert reload(delivery).next_attempt_at - delivery.last_attempt_at == timedelta(hours=1)
    assert enqueued == []
