"""One bad order never stops a store: it is cleaned where it can be, set aside where it cannot.

woocommerce/woocommerce#68783. Before: a U+0000 in one customer note made PostgreSQL refuse
the row, the page rolled back, and the store failed every poll until someone edited that order.
"""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from notifications.models import Notification
from shop.listing_health import findings
from shop.models import OrderEvent, OrderState, PollRun, SetAsideOrder, Store
from shop.operations import orders_set_aside
from shop.polling import poll_store
from shop.rules import NEW
from shop.set_aside import STORE_ORDERS_SET_ASIDE
from tests.shop.conftest import ago

pytestmark = pytest.mark.django_db


def english(read, *args):
    with translation.override("en"):
        return read(*args)


def paid_orders(sim, count: int) -> list[int]:
    return [sim.store.create_order(status="processing", at=ago(sim, minutes=3)).id for _ in range(count)]


def test_a_nul_in_a_customer_note_or_last_name_is_cleaned_and_every_order_recorded(sim, store):
    orders = paid_orders(sim, 5)
    sim.store.poison(orders[1], customer_note="Leave at the door\x00 please", **{"billing.last_name": "Pet\x00rov"})

    run = poll_store(store.pk)

    assert (run.outcome, run.orders_set_aside) == (PollRun.Outcome.OK, 0)
    assert Counter(OrderEvent.objects.values_list("order_id", "event_type")) == {(order, NEW): 1 for order in orders}
    snapshot = OrderEvent.objects.get(order_id=orders[1]).snapshot
    assert (snapshot["customer_note"], snapshot["customer"]) == ("Leave at the door please", "Ivan Petrov")
    assert OrderState.objects.get(order_id=orders[1]).customer_name == "Ivan Petrov"


@pytest.mark.parametrize(
    ("poison", "reason"),
    [
        ({"total": "100000000000000000000.00"}, "total '100000000000000000000.00' is too large for an order"),
        ({"total": {"amount": "10.00"}}, "total {'amount': '10.00'} is not money"),
        ({"status": "x" * 50}, "is empty or longer than WordPress allows"),
        ({"date_modified_gmt": None}, "no date_modified_gmt"),
        ({"billing": "Ivan Petrov"}, None),  # not an object: read as no billing details, not refused
    ],
)
def test_an_order_that_cannot_be_recorded_is_set_aside_and_the_rest_of_the_page_recorded(sim, store, poison, reason):
    orders = paid_orders(sim, 4)
    bad = orders[2]
    sim.store.poison(bad, at=ago(sim, minutes=2), **poison)

    run = poll_store(store.pk)

    assert run.outcome == PollRun.Outcome.OK
    recorded = set(OrderEvent.objects.values_list("order_id", flat=True))
    store.refresh_from_db()
    assert store.failing_since is None
    if reason is None:
        assert recorded == set(orders)
        return
    assert recorded == set(orders) - {bad}
    aside = SetAsideOrder.objects.get(store=store)
    assert aside.order_id == bad
    assert reason in aside.reason
    assert (run.orders_set_aside, run.set_aside) == (1, [{"order_id": bad, "reason": aside.reason}])
    assert store.orders_set_aside == 1
    assert store.cursor is not None


def test_orders_set_aside_raise_one_alert_and_are_recorded_once_they_change(sim, store, admin_client):
    orders = paid_orders(sim, 3)
    sim.store.poison(orders[0], at=ago(sim, minutes=1), total="1e20")

    poll_store(store.pk)
    poll_store(store.pk)  # reads the order again (the overlap): the same order, no second alert

    alerts = Notification.objects.filter(event_type=STORE_ORDERS_SET_ASIDE)
    assert alerts.count() == 1
    assert f"#{orders[0]}: order {orders[0]}: total '1e20' is too large for an order" in alerts.get().message
    assert SetAsideOrder.objects.get().attempts == 2
    assert orders_set_aside() == {store.pk: 1}
    assert not english(findings, Store.objects.get(pk=store.pk))[0][0]
    dashboard = admin_client.get("/dashboard/", headers={"Accept-Language": "en"}).content.decode()
    assert '<td class="set-aside">1</td>' in dashboard

    sim.store.poison(orders[0])  # the shop fixes the order: it changes
    poll_store(store.pk)

    assert not SetAsideOrder.objects.exists()
    assert Store.objects.get(pk=store.pk).orders_set_aside == 0
    # Paid inside the window of the poll that first set it aside: still news.
    assert Counter(OrderEvent.objects.values_list("order_id", "event_type")) == {(order, NEW): 1 for order in orders}


def test_the_admin_retries_an_order_set_aside_and_records_it(sim, store, admin_client):
    orders = paid_orders(sim, 2)
    sim.store.poison(orders[1], at=ago(sim, minutes=2), total="not money")
    poll_store(store.pk)
    aside = SetAsideOrder.objects.get()
    page = admin_client.get(f"/admin/shop/store/{store.pk}/change/", headers={"Accept-Language": "en"}).content
    assert f"#{orders[1]}: order {orders[1]}: total &#x27;not money&#x27; is not money" in page.decode()

    still = admin_client.post(
        "/admin/shop/setasideorder/",
        {"action": "retry", "_selected_action": [aside.pk]},
        follow=True,
        headers={"Accept-Language": "en"},
    )
    assert f"#{orders[1]} still set aside" in still.content.decode()
    sim.store.orders[orders[1]].overrides = {}  # fixed without being touched: only Retry sees it
    admin_client.post("/admin/shop/setasideorder/", {"action": "retry", "_selected_action": [aside.pk]})

    assert not SetAsideOrder.objects.exists()
    assert set(OrderEvent.objects.values_list("order_id", flat=True)) == set(orders)
    assert Store.objects.get(pk=store.pk).orders_set_aside == 0


def test_an_item_without_a_usable_id_is_set_aside_by_what_it_holds(sim, store):
    orders = paid_orders(sim, 2)
    for _ in range(2):
        # A page holding one more item than the store counts: its end is confirmed by one more read.
        sim.store.inject("bad_item", times=2)
        poll_store(store.pk)

    assert set(OrderEvent.objects.values_list("order_id", flat=True)) == set(orders)
    aside = SetAsideOrder.objects.get()
    assert (aside.order_id, aside.attempts) == (None, 2)
    assert "an order needs a positive integer `id`" in aside.reason


def test_shop_status_names_the_orders_set_aside(sim, store):
    orders = paid_orders(sim, 2)
    sim.store.poison(orders[0], at=ago(sim, minutes=1), total="1e20")
    poll_store(store.pk)

    out = StringIO()
    call_command("shop_status", stdout=out)

    assert "    orders set aside: 1; waiting for evidence: 0" in out.getvalue()
