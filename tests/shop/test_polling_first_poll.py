"""The first poll of a store looks back one window: recent changes notify, history does not."""

from __future__ import annotations

from shop.models import OrderEvent, OrderState, PollRun
from shop.polling import poll_store
from shop.rules import CANCELLED, NEW
from tests.shop.conftest import ago


def test_the_first_poll_notifies_only_of_orders_changed_inside_the_lookback(sim, store):
    history = [sim.store.create_order(status="processing", at=ago(sim, days=d)).id for d in (2, 5, 30)]
    recent_paid = sim.store.create_order(status="processing", at=ago(sim, minutes=20)).id
    recent_cancelled = sim.store.create_order(status="cancelled", at=ago(sim, minutes=10)).id

    run = poll_store(store.pk)

    assert run.outcome == PollRun.Outcome.OK
    events = set(OrderEvent.objects.values_list("order_id", "event_type"))
    assert events == {(recent_paid, NEW), (recent_cancelled, CANCELLED)}
    assert not OrderState.objects.filter(order_id__in=history).exists()
    assert run.orders_seen == 2


def test_an_order_paid_before_the_window_but_touched_inside_it_is_not_news(sim, store):
    order = sim.store.create_order(status="processing", at=ago(sim, days=3)).id
    sim.store.set_status(order, "processing", at=ago(sim, minutes=5))  # a note added, say

    poll_store(store.pk)

    assert not OrderEvent.objects.exists()
    assert OrderState.objects.get(order_id=order).status == "processing"


def test_the_first_poll_sets_the_cursor_to_the_stores_clock(sim, store):
    # The store's clock runs ten minutes behind ours (OAuth 1.0a tolerates up to 15).
    sim.store.set_clock_offset(-600)
    before = sim.store.now()
    poll_store(store.pk)
    store.refresh_from_db()
    assert before <= store.cursor <= sim.store.now()
