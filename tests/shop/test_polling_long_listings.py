"""A listing longer than one poll may read is read on by the next poll, never restarted or lost."""

from __future__ import annotations

from collections import Counter

import pytest

from shop.models import OrderEvent, PollRun, Store
from shop.polling import poll_store
from shop.rules import NEW

pytestmark = pytest.mark.django_db


def test_a_poll_stops_at_its_time_budget_and_the_next_reads_on(sim, store, settings):
    poll_store(store.pk)
    orders = [sim.store.create_order(status="processing").id for _ in range(250)]
    settings.SHOP_POLL_MAX_SECONDS = 0  # every poll stops after one page

    outcomes = []
    while not outcomes or outcomes[-1] == PollRun.Outcome.PARTIAL:
        outcomes.append(poll_store(store.pk).outcome)
        assert len(outcomes) < 10

    assert outcomes == ["partial", "partial", "ok"]
    assert Counter(OrderEvent.objects.values_list("order_id", "event_type")) == {(order, NEW): 1 for order in orders}
    store.refresh_from_db()
    assert (store.listing_after, store.listing_cursor) == (None, None)


def test_a_poll_that_dies_mid_listing_is_on_record_and_the_next_reads_on(sim, store):
    poll_store(store.pk)
    cursor = Store.objects.get(pk=store.pk).cursor
    orders = [sim.store.create_order(status="processing").id for _ in range(250)]

    def die(page, run) -> None:
        if page.number == 2:
            raise RuntimeError("soft time limit, say")

    with pytest.raises(RuntimeError):
        poll_store(store.pk, on_page=die)

    failed = PollRun.objects.order_by("-started_at").first()
    assert (failed.outcome, failed.error_type, failed.pages) == ("failed", "RuntimeError", 2)
    store.refresh_from_db()
    assert store.failing_since is not None
    assert store.cursor == cursor  # not moved: the listing is unfinished
    assert store.listing_cursor["page"] == 2

    run = poll_store(store.pk)

    assert run.outcome == "ok"
    assert run.pages == 1  # read on from page three, not from the start
    assert Counter(OrderEvent.objects.values_list("order_id", flat=True)) == dict.fromkeys(orders, 1)
    store.refresh_from_db()
    assert store.failing_since is None
