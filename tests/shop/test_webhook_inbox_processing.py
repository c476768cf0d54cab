"""The inbox's rows are claimed by one worker at a time, retried with backoff, given up on for good, swept up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shop import inbox
from shop.models import OrderEvent, Store, WebhookDelivery
from tests.shop.conftest import ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch):
    """What the inbox hands to the broker: (delivery ids, countdown) per task."""
    calls: list[tuple[list[int], float | None]] = []
    monkeypatch.setattr(inbox, "enqueue", lambda ids, countdown=None: calls.append((list(ids), countdown)) or True)
    return calls


NOTHING = {"done": 0, "retry": 0, "failed": 0, "released": 0}


def row(store: Store, order_id: int, **fields) -> WebhookDelivery:
    return WebhookDelivery.objects.create(store=store, order_id=order_id, topic="order.updated", **fields)


def test_a_row_is_processed_once_into_its_event_and_the_events_are_handed_on(sim, store, enqueued):
    order = sim.store.create_order(status="processing", at=ago(sim, minutes=1))
    received = row(store, order.id)
    handed_on: list[list[int]] = []

    assert inbox.process([received.pk], on_events=handed_on.append) == {**NOTHING, "done": 1}
    assert inbox.process([received.pk], on_events=handed_on.append) == NOTHING

    received.refresh_from_db()
    assert (received.status, received.attempts, received.events_created) == ("done", 1, 1)
    assert handed_on == [list(OrderEvent.objects.values_list("pk", flat=True))]


def test_a_claimed_row_is_not_claimed_again(store):
    received = row(store, 1)
    now = timezone.now()

    assert [claimed.pk for claimed in inbox.claim([received.pk], now)] == [received.pk]
    assert inbox.claim([received.pk], now) == []


def test_a_store_failing_transiently_puts_the_row_back_with_a_pause_then_gives_up(
    sim, store, enqueued, settings, django_capture_on_commit_callbacks
):
    settings.SHOP_POLL_RETRY_BACKOFF = 1
    order = sim.store.create_order(status="processing", at=ago(sim, minutes=1))
    # The re-fetch is a listing of the rows' orders (`include`), not a GET per order.
    sim.store.inject("status", status=503, times=100, path="/wp-json/wc/v3/orders", retry_after="7")
    received = row(store, order.id)

    with django_capture_on_commit_callbacks(execute=True):
        assert inbox.process([received.pk], on_events=list) == {**NOTHING, "retry": 1}
    received.refresh_from_db()
    assert (received.status, received.attempts) == ("pending", 1)
    assert timedelta(seconds=6) < received.next_attempt_at - timezone.now() <= timedelta(seconds=7)
    assert received.last_error.startswith("RateLimitedError: ")
    assert enqueued == [([received.pk], 7)]

    for _ in range(inbox.MAX_ATTEMPTS - 1):
        WebhookDelivery.objects.filter(pk=received.pk).update(next_attempt_at=timezone.now())
        inbox.process([received.pk], on_events=list)
    received.refresh_from_db()
    assert (received.status, received.attempts) == ("failed", inbox.MAX_ATTEMPTS)
    assert not OrderEvent.objects.exists()


def test_a_store_refusing_the_keys_fails_the_row_at_once(sim, store, enqueued):
    order = sim.store.create_order(status="processing", at=ago(sim, minutes=1))
    sim.store.inject("unauthorized", times=10, path="/wp-json/wc/v3/orders")
    received = row(store, order.id)

    assert inbox.process([received.pk], on_events=list) == {**NOTHING, "failed": 1}
    received.refresh_from_db()
    assert (received.status, received.attempts) == ("failed", 1)
    assert "Consumer secret is invalid" in received.last_error
    assert enqueued == []


def test_the_sweeper_hands_on_rows_no_task_took_and_releases_claims_whose_worker_died(store, enqueued):
    now = timezone.now()
    waiting = row(store, 1, next_attempt_at=now - inbox.SWEEP_GRACE - timedelta(seconds=1))
    just_received = row(store, 2)  # its own task is on the way
    stuck = row(store, 3, status="processing", attempts=1, claimed_at=now - inbox.lease() - timedelta(seconds=1))
    working = row(store, 4, status="processing", attempts=1, claimed_at=now)

    assert inbox.sweep(now) == {"dispatched": 2, "released": 1}
    assert enqueued == [([stuck.pk, waiting.pk], None)]
    assert WebhookDelivery.objects.get(pk=stuck.pk).status == "pending"
    assert WebhookDelivery.objects.get(pk=working.pk).status == "processing"
    assert WebhookDelivery.objects.get(pk=just_received.pk).status == "pending"
