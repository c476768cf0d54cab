"""An order whose state the database cannot take is set aside; the rest of its page is recorded.

The parser cleans what real stores send (shop.woocommerce.orders); these orders skip it,
as a value it does not foresee would.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from shop.detection import record_page
from shop.models import OrderEvent, OrderState, SetAsideOrder
from shop.rules import NEW
from tests.shop.factories import StoreFactory
from tests.shop.orders import T0, FakeOrder

pytestmark = pytest.mark.django_db
WINDOW = T0 - timedelta(minutes=10)


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (FakeOrder(2, "processing", total=Decimal("1e20")), "order 2: total '1E+20': "),
        (FakeOrder(2, "processing", number="7" * 70), "order 2: number '" + "7" * 60 + "': "),
        (FakeOrder(2, "processing", customer_name="Анна\ud800"), "the database refused it: "),
    ],
)
def test_an_order_the_database_cannot_take_is_set_aside_alone(bad, reason):
    store = StoreFactory()
    page = [FakeOrder(1, "processing"), bad, FakeOrder(3, "processing")]

    result = record_page(store, page, window_start=WINDOW)

    assert sorted(OrderEvent.objects.values_list("order_id", "event_type")) == [(1, NEW), (3, NEW)]
    assert sorted(OrderState.objects.values_list("order_id", flat=True)) == [1, 3]
    aside = SetAsideOrder.objects.get()
    assert aside.order_id == 2
    assert aside.reason.startswith(reason)
    assert [order_id for order_id, _ in result.set_aside] == [2]
    assert result.orders == 2
    store.refresh_from_db()
    assert store.orders_set_aside == 1
