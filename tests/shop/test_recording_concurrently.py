"""Two writers of one store (a poll and a webhook) are serialised: one event, the newest state."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection

from shop.detection import record_page
from shop.models import OrderEvent, OrderState
from tests.shop.factories import StoreFactory
from tests.shop.orders import T0, FakeOrder

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_writers_recording_a_new_order_at_once_make_one_event_and_keep_the_newest_version():
    store = StoreFactory()
    versions = [
        FakeOrder(9, "cancelled", date_modified_gmt=T0),
        FakeOrder(9, "cancelled", date_modified_gmt=T0 + timedelta(seconds=40)),
    ]
    start = threading.Barrier(2)

    def write(version) -> None:
        start.wait()
        try:
            record_page(store, [version], window_start=T0 - timedelta(minutes=5))
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(version,)) for version in versions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert OrderEvent.objects.filter(order_id=9, event_type="shop.order.cancelled").count() == 1
    assert OrderState.objects.get(order_id=9).date_modified_gmt == T0 + timedelta(seconds=40)
