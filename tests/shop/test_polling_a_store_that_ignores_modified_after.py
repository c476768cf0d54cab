"""A store that ignores modified_after lists its whole history; what changed before the window is not news.

WooCommerce before 5.8, or an HPOS bug (woocommerce/woocommerce#36307, #29461). Before: the
first poll announced 18 half-year-old cancellations, failures and refunds.
"""

from __future__ import annotations

import pytest
from django.utils import translation

from shop.listing_health import findings
from shop.models import OrderEvent, OrderState, PollRun, Store
from shop.polling import poll_store
from shop.rules import CANCELLED, NEW
from tests.shop.conftest import ago

pytestmark = pytest.mark.django_db


def english(read, *args):
    with translation.override("en"):
        return read(*args)


IGNORES = (
    True,
    "The store ignores modified_after (WooCommerce before 5.8, or an HPOS bug): every poll reads its whole order "
    "history, and orders modified before the polling window are not taken as news.",
)


def half_a_year_of_history(sim) -> list[int]:
    """30 orders cancelled, failed and refunded about 200 days ago."""
    old = []
    for n in range(30):
        when = ago(sim, days=200, minutes=n)
        order = sim.store.create_order(status="processing" if n % 3 == 2 else "pending", at=when)
        if n % 3 == 2:
            sim.store.refund(order.id)
            sim.store.orders[order.id].modified = when
        else:
            sim.store.set_status(order.id, "cancelled" if n % 3 == 0 else "failed", at=when)
        old.append(order.id)
    return old


def test_the_first_poll_of_its_whole_history_announces_only_the_order_paid_a_minute_ago(sim, store):
    old = half_a_year_of_history(sim)
    paid = sim.store.create_order(status="processing", at=ago(sim, minutes=1)).id
    sim.store.ignores_modified_after = True

    run = poll_store(store.pk)

    assert list(OrderEvent.objects.values_list("order_id", "event_type")) == [(paid, NEW)]
    assert (run.outcome, run.orders_seen) == (PollRun.Outcome.OK, 1)
    assert not OrderState.objects.filter(order_id__in=old).exists()  # history, as a store that filters shows none
    store.refresh_from_db()
    assert store.ignores_modified_after is not None
    assert IGNORES in english(findings, store)


def test_later_polls_announce_what_changes_and_nothing_of_the_history_they_read_again(sim, store):
    old = half_a_year_of_history(sim)
    sim.store.ignores_modified_after = True
    poll_store(store.pk)

    sim.store.set_status(old[1], "processing")  # a failed payment, paid at last
    cancelled = sim.store.create_order(status="pending").id
    sim.store.set_status(cancelled, "cancelled")
    poll_store(store.pk)

    assert sorted(OrderEvent.objects.values_list("order_id", "event_type")) == [(old[1], NEW), (cancelled, CANCELLED)]
    assert OrderState.objects.filter(order_id__in=old).count() == 1


def test_the_flag_is_lowered_when_a_whole_listing_keeps_to_the_filter(sim, store):
    half_a_year_of_history(sim)
    sim.store.ignores_modified_after = True
    poll_store(store.pk)
    assert Store.objects.get(pk=store.pk).ignores_modified_after is not None

    sim.store.ignores_modified_after = False
    poll_store(store.pk)

    store.refresh_from_db()
    assert store.ignores_modified_after is None
    assert IGNORES not in english(findings, store)


def test_once_flagged_its_history_is_listed_lean_and_only_changed_orders_fetched_whole(sim, store):
    half_a_year_of_history(sim)
    sim.store.ignores_modified_after = True
    poll_store(store.pk)
    paid = sim.store.create_order(status="processing").id
    sim.requests.clear()
    sim.queries.clear()

    poll_store(store.pk)

    assert list(OrderEvent.objects.values_list("order_id", "event_type")) == [(paid, NEW)]
    lean, whole = sim.queries
    assert lean["_fields"] == "id,status,date_modified_gmt"
    assert (whole["include"], "_fields" in whole) == (str(paid), False)
