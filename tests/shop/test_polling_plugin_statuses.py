"""Payment makes an order new, whatever the status is called; each store says what its plugin statuses mean.

woocommerce/woocommerce#41959, myparcelnl/woocommerce#396. Before: a paid order first seen
in `shipped` never got a new-order event.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from shop.listing_health import findings
from shop.models import OrderEvent, Store
from shop.polling import poll_store
from shop.rules import CANCELLED, NEW
from shop.statuses import default_meanings
from simulator import StoreServer
from tests.shop.conftest import ago

pytestmark = pytest.mark.django_db


def english(read, *args):
    with translation.override("en"):
        return read(*args)


@pytest.fixture
def operator(client, db):
    client.force_login(get_user_model().objects.create_superuser("operator", password="a-long-password-1"))
    return client


def form_for(store: Store, **changes) -> dict:
    data = {
        "name": store.name, "slug": store.slug, "base_url": store.base_url, "api": store.api, "consumer_key": "",
        "consumer_secret": "", "allow_http": "on", "enabled": "on", "poll_interval": str(store.poll_interval),
        "first_poll_lookback": "60", "overlap": "120", "event_types": store.event_types,
    }  # fmt: skip
    return data | changes


def paid_in(sim, status: str, *, minutes_ago: int = 2) -> int:
    order = sim.store.create_order(status="pending", at=ago(sim, days=1))
    sim.store.orders[order.id].paid = ago(sim, minutes=minutes_ago)
    return sim.store.set_status(order.id, status, at=ago(sim, minutes=minutes_ago)).id


def test_a_paid_order_first_seen_shipped_is_one_new_order(sim, store):
    shipped = paid_in(sim, "shipped")

    poll_store(store.pk)
    poll_store(store.pk)

    assert list(OrderEvent.objects.values_list("order_id", "event_type", "to_status")) == [(shipped, NEW, "shipped")]


def test_a_status_no_rule_knows_is_counted_as_paid_by_its_payment_date_and_listed_on_the_store(sim, store, operator):
    fitting = paid_in(sim, "awaiting-fitting")

    poll_store(store.pk)

    assert list(OrderEvent.objects.values_list("order_id", "event_type")) == [(fitting, NEW)]
    store.refresh_from_db()
    assert list(store.unknown_statuses) == ["awaiting-fitting"]
    said = (False, "Statuses no rule knows: awaiting-fitting. An order in one counts as paid when it has a payment "
                   "date; say what each means under the store's plugin statuses.")  # fmt: skip
    assert said in english(findings, store)
    page = operator.get(f"/admin/shop/store/{store.pk}/change/", headers={"Accept-Language": "en"}).content.decode()
    assert '<ul class="unknown-statuses"><li><code>awaiting-fitting</code></li></ul>' in page
    assert "shipped: paid\n" in page  # the seeded mapping, as the operator edits it


def test_the_operator_maps_a_status_as_cancelled_and_entering_it_is_a_cancellation(sim, store, operator):
    order = paid_in(sim, "processing", minutes_ago=30)
    poll_store(store.pk)
    mapping = "shipped: paid\nrefused-at-door: cancelled\n"

    response = operator.post(f"/admin/shop/store/{store.pk}/change/", form_for(store, status_meanings=mapping))

    assert response.status_code == 302
    store.refresh_from_db()
    assert store.status_meanings == {"shipped": "paid", "refused-at-door": "cancelled"}
    sim.store.set_status(order, "refused-at-door")
    poll_store(store.pk)
    assert list(OrderEvent.objects.filter(event_type=CANCELLED).values_list("order_id", "to_status")) == [
        (order, "refused-at-door")
    ]
    assert Store.objects.get(pk=store.pk).unknown_statuses == {}


def test_a_mapping_that_cannot_work_is_refused_with_the_line_and_changes_nothing(sim, store, operator):
    response = operator.post(
        f"/admin/shop/store/{store.pk}/change/",
        form_for(store, status_meanings="shipped: paid\ncompleted: ignore"),
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 200
    said = "line 2: “completed” is WooCommerce&#x27;s own status; its meaning cannot change"
    assert said in response.content.decode()
    assert Store.objects.get(pk=store.pk).status_meanings == default_meanings()


def test_a_form_without_the_mapping_keeps_it(sim, store, operator):
    Store.objects.filter(pk=store.pk).update(status_meanings={"shipped": "paid"})

    operator.post(f"/admin/shop/store/{store.pk}/change/", form_for(store, name="Renamed"))

    assert Store.objects.get(pk=store.pk).status_meanings == {"shipped": "paid"}


def test_thin_orders_without_payment_dates_are_new_in_a_status_mapped_as_paid(db):
    with StoreServer() as sim:  # the MCP adapter, as behind https
        config = sim.config("mcp-adapter")
        store = Store.objects.create(
            name="Adapter", slug="adapter", base_url=sim.url, allow_http=True, api=Store.Api.MCP_ADAPTER,
            consumer_key=config.key, consumer_secret=config.secret,
        )  # fmt: skip
        shipped = sim.store.create_order(status="pending", at=ago(sim, minutes=3)).id
        sim.store.set_status(shipped, "shipped", at=ago(sim, minutes=2))
        fitting = sim.store.create_order(status="pending", at=ago(sim, minutes=3)).id
        sim.store.set_status(fitting, "awaiting-fitting", at=ago(sim, minutes=2))

        poll_store(store.pk)

    assert list(OrderEvent.objects.values_list("order_id", "event_type")) == [(shipped, NEW)]
