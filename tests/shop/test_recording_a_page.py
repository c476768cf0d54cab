"""A page of orders becomes known state and events in bulk, once, in one transaction."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shop import locks
from shop.detection import record_page
from shop.models import OrderEvent, OrderState
from shop.rules import CANCELLED, NEW, ON_HOLD, PARTIALLY_REFUNDED
from tests.shop.factories import StoreFactory
from tests.shop.orders import T0, FakeOrder

pytestmark = pytest.mark.django_db
WINDOW = T0 - timedelta(minutes=10)


def events_of(store) -> list[tuple[int, str]]:
    return list(OrderEvent.objects.filter(store=store).order_by("order_id", "pk").values_list("order_id", "event_type"))


def test_a_paid_order_seen_first_becomes_known_and_one_new_order_event():
    store = StoreFactory()
    result = record_page(store, [FakeOrder(7, "processing")], window_start=WINDOW)

    assert events_of(store) == [(7, NEW)]
    assert result.event_keys == [f"{store.pk}:7:{NEW}:first-payment"]
    state = OrderState.objects.get(store=store, order_id=7)
    assert (state.status, state.total, state.customer_name) == ("processing", Decimal("1490.00"), "Анна Петрова")


def test_reading_the_same_page_twice_creates_nothing_more():
    store = StoreFactory()
    page = [FakeOrder(1, "processing"), FakeOrder(2, "cancelled")]
    record_page(store, page, window_start=WINDOW)
    again = record_page(store, page, window_start=WINDOW)

    assert again.event_keys == []
    assert events_of(store) == [(1, NEW), (2, CANCELLED)]


def test_a_later_change_of_a_known_order_raises_its_event():
    store = StoreFactory()
    record_page(store, [FakeOrder(1, "processing")], window_start=WINDOW)
    record_page(store, [FakeOrder(1, "cancelled", date_modified_gmt=T0 + timedelta(minutes=5))], window_start=WINDOW)

    assert events_of(store) == [(1, NEW), (1, CANCELLED)]
    event = OrderEvent.objects.get(event_type=CANCELLED)
    assert (event.from_status, event.to_status, event.occurred_at) == (
        "processing",
        "cancelled",
        T0 + timedelta(minutes=5),
    )


def test_an_older_version_than_the_known_one_changes_nothing():
    store = StoreFactory()
    record_page(store, [FakeOrder(1, "cancelled", date_modified_gmt=T0 + timedelta(minutes=5))], window_start=WINDOW)
    record_page(store, [FakeOrder(1, "processing", date_modified_gmt=T0)], window_start=WINDOW)

    assert OrderState.objects.get(order_id=1).status == "cancelled"
    assert events_of(store) == [(1, CANCELLED)]


def test_the_same_order_twice_in_a_page_counts_once_at_its_newest_version():
    store = StoreFactory()
    record_page(
        store,
        [FakeOrder(1, "cancelled", date_modified_gmt=T0 + timedelta(seconds=30)), FakeOrder(1, "processing")],
        window_start=WINDOW,
    )
    assert OrderState.objects.get(order_id=1).status == "cancelled"


def test_after_known_state_is_pruned_the_latest_event_still_remembers_the_status():
    store = StoreFactory()
    record_page(store, [FakeOrder(1, "processing")], window_start=WINDOW)
    OrderState.objects.all().delete()  # retention

    # A note added weeks later bumps date_modified; the order is still processing.
    later = FakeOrder(1, "processing", date_modified_gmt=T0 + timedelta(days=9))
    assert record_page(store, [later], window_start=T0 + timedelta(days=9) - timedelta(minutes=5)).event_keys == []
    assert events_of(store) == [(1, NEW)]


def test_events_the_store_did_not_opt_into_are_recorded_but_not_notified():
    store = StoreFactory()
    record_page(store, [FakeOrder(1, "processing")], window_start=WINDOW)
    record_page(
        store,
        [FakeOrder(1, "on-hold", refunded_total=Decimal(100), date_modified_gmt=T0 + timedelta(minutes=1))],
        window_start=WINDOW,
    )
    notify = dict(OrderEvent.objects.values_list("event_type", "notify"))
    assert notify == {NEW: True, ON_HOLD: False, PARTIALLY_REFUNDED: False}


def test_a_page_costs_the_same_number_of_queries_whatever_its_size():
    def queries_for(count: int, offset: int) -> int:
        store = StoreFactory()
        record_page(store, [FakeOrder(offset + i, "pending") for i in range(count)], window_start=WINDOW)
        page = [FakeOrder(offset + i, "processing", date_modified_gmt=T0 + timedelta(minutes=1)) for i in range(count)]
        with CaptureQueriesContext(connection) as captured:
            record_page(store, page, window_start=WINDOW)
        return len(captured)

    # 60, not 100: SQLite's 999-parameter limit splits bigger bulk inserts into batches.
    assert queries_for(5, 0) == queries_for(60, 1000)


def test_a_poll_that_lost_its_lease_cannot_write():
    store = StoreFactory()
    stale_token = locks.claim(store.pk)
    store.refresh_from_db()
    locks.release(store.pk, stale_token)
    assert locks.claim(store.pk) is not None  # another poll holds it now

    with pytest.raises(locks.LeaseLost):
        record_page(store, [FakeOrder(1, "processing")], window_start=WINDOW, lease_token=stale_token)
    assert not OrderState.objects.exists()
    assert not OrderEvent.objects.exists()
