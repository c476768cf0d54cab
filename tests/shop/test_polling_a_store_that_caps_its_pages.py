"""A store that serves at most 10 orders a page whatever per_page asks is polled whole, and says so.

woocommerce/woocommerce#54035. Before: every poll failed as "cut short", nothing recorded,
the store failing for good. A store that serves what it is asked pays nothing for this.
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.utils import translation

from shop.listing_health import findings
from shop.models import OrderEvent, PollRun, Store
from shop.polling import poll_store
from shop.rules import NEW
from tests.shop.conftest import ago

pytestmark = pytest.mark.django_db


def english(read, *args):
    with translation.override("en"):
        return read(*args)


def listing_requests(sim) -> int:
    return sum(1 for path in sim.requests if path.endswith("/orders"))


def test_twenty_five_paid_orders_at_ten_a_page_are_all_recorded_in_one_poll(sim, store, admin_client):
    orders = [sim.store.create_order(status="processing", at=ago(sim, minutes=2)).id for _ in range(25)]
    sim.store.page_cap = 10
    before = sim.store.now()

    run = poll_store(store.pk)

    assert (run.outcome, run.orders_seen, run.events_created) == (PollRun.Outcome.OK, 25, 25)
    assert Counter(OrderEvent.objects.values_list("order_id", "event_type")) == {(order, NEW): 1 for order in orders}
    store.refresh_from_db()
    assert (store.failing_since, store.page_cap) == (None, 10)
    assert before <= store.cursor <= sim.store.now()
    assert listing_requests(sim) == 3
    said = (True, "The store serves at most 10 orders a page whatever per_page asks (a plugin?); ADOLF pages by "
                  "what it serves.")  # fmt: skip
    assert said in english(findings, store)
    page = admin_client.get(f"/admin/shop/store/{store.pk}/change/", headers={"Accept-Language": "en"})
    assert "The store serves at most 10 orders a page" in page.content.decode()


def test_a_capped_listing_cut_by_the_time_budget_moves_no_cursor_past_an_order_not_read(sim, store, settings):
    poll_store(store.pk)
    cursor = Store.objects.get(pk=store.pk).cursor
    orders = [sim.store.create_order(status="processing").id for _ in range(25)]
    sim.store.page_cap = 10
    settings.SHOP_POLL_MAX_SECONDS = 0  # every poll stops after one page

    outcomes = [poll_store(store.pk).outcome]
    assert Store.objects.get(pk=store.pk).cursor == cursor
    while outcomes[-1] == PollRun.Outcome.PARTIAL:
        outcomes.append(poll_store(store.pk).outcome)
        assert len(outcomes) < 10

    assert outcomes == ["partial", "partial", "ok"]
    assert Counter(OrderEvent.objects.values_list("order_id", flat=True)) == dict.fromkeys(orders, 1)
    store.refresh_from_db()
    assert (store.listing_after, store.listing_cursor) == (None, None)
    assert store.cursor >= cursor


def test_a_store_that_serves_what_it_is_asked_costs_one_request_a_poll_as_before(sim, store):
    poll_store(store.pk)
    orders = [sim.store.create_order(status="processing").id for _ in range(25)]
    sim.requests.clear()

    run = poll_store(store.pk)

    assert (run.outcome, run.events_created) == (PollRun.Outcome.OK, 25)
    assert sim.requests == ["/wp-json/wc/v3/orders"]
    assert Counter(OrderEvent.objects.values_list("order_id", flat=True)) == dict.fromkeys(orders, 1)
    assert Store.objects.get(pk=store.pk).page_cap is None


def test_the_cap_is_forgotten_when_the_store_serves_full_pages_again(sim, store):
    for _ in range(25):
        sim.store.create_order(status="processing", at=ago(sim, minutes=2))
    sim.store.page_cap = 10
    poll_store(store.pk)
    sim.store.page_cap = None
    for _ in range(120):
        sim.store.create_order(status="processing")

    poll_store(store.pk)

    assert Store.objects.get(pk=store.pk).page_cap is None
