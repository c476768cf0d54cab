"""Every status change the store exposes yields its event, once: old orders, many pages, races."""

from __future__ import annotations

from collections import Counter

import pytest

from shop.models import OrderEvent
from shop.polling import poll_store
from shop.rules import CANCELLED, NEW, REFUNDED
from tests.shop.conftest import ago

pytestmark = pytest.mark.django_db


def event_counts() -> Counter:
    return Counter(OrderEvent.objects.values_list("order_id", "event_type"))


def test_an_order_created_weeks_ago_and_cancelled_now_is_notified(sim, store):
    old = sim.store.create_order(status="processing", at=ago(sim, weeks=3)).id
    refunded = sim.store.create_order(status="completed", total="990.00", at=ago(sim, weeks=5)).id
    poll_store(store.pk)

    sim.store.set_status(old, "cancelled")
    sim.store.refund(refunded)
    poll_store(store.pk)

    assert event_counts() == {(old, CANCELLED): 1, (refunded, REFUNDED): 1}


def test_more_than_a_hundred_changes_in_one_poll_are_all_seen(sim, store):
    poll_store(store.pk)
    orders = [sim.store.create_order(status="pending").id for _ in range(250)]
    for order in orders:
        sim.store.set_status(order, "processing")

    run = poll_store(store.pk)

    assert run.pages >= 3
    assert event_counts() == {(order, NEW): 1 for order in orders}


def test_the_new_order_path_pending_then_processing_is_seen(sim, store):
    order = sim.store.create_order(status="pending").id
    poll_store(store.pk)
    assert not OrderEvent.objects.exists()

    sim.store.set_status(order, "processing")
    poll_store(store.pk)

    assert event_counts() == {(order, NEW): 1}


def test_a_change_in_the_same_second_as_the_cursor_is_not_lost(sim, store):
    poll_store(store.pk)
    store.refresh_from_db()
    order = sim.store.create_order(status="pending", at=ago(sim, hours=1)).id
    # Modified in the very second the last listing began: `modified_after` is exclusive.
    sim.store.set_status(order, "processing", at=store.cursor)

    poll_store(store.pk)

    assert event_counts() == {(order, NEW): 1}


def test_changes_made_while_pages_are_read_are_seen_by_this_poll_or_the_next(sim, store):
    poll_store(store.pk)
    batch = [sim.store.create_order(status="pending").id for _ in range(230)]
    for order in batch:
        sim.store.set_status(order, "processing")
    moved = []

    def meddle(page, run) -> None:
        # Between pages: cancel an order already read, pay one not yet read, add a new one.
        if page.number == 1:
            sim.store.set_status(batch[0], "cancelled")
            sim.store.set_status(batch[-1], "cancelled")
            moved.append(sim.store.create_order(status="processing").id)

    poll_store(store.pk, on_page=meddle)
    poll_store(store.pk)

    expected = {(order, NEW): 1 for order in batch}
    # batch[-1] was paid and cancelled before this poll reached it: both events still come.
    expected.update({(batch[0], CANCELLED): 1, (batch[-1], CANCELLED): 1, (moved[0], NEW): 1})
    assert event_counts() == expected


def test_polling_twice_without_changes_creates_nothing_more(sim, store):
    sim.store.create_order(status="processing", at=ago(sim, minutes=3))
    poll_store(store.pk)
    again = poll_store(store.pk)
    assert again.events_created == 0
    assert OrderEvent.objects.count() == 1
