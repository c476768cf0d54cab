"""`manage.py shop_status` prints each time with its UTC offset: the reader may be on another clock."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from shop.models import OrderEvent, Store

pytestmark = pytest.mark.django_db


def run() -> str:
    out = StringIO()
    call_command("shop_status", "--timeout", "0.2", stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("zone", "shown"),
    [("Europe/Moscow", "2026-01-05 15:00:00+03:00"), ("UTC", "2026-01-05 12:00:00+00:00")],
)
def test_store_times_are_printed_in_time_zone_with_their_offset(settings, zone, shown):
    settings.TIME_ZONE = zone
    at = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    Store.objects.create(
        name="Staging", slug="staging", base_url="https://shop.example", consumer_key="ck", consumer_secret="cs",
        failing_since=at, last_success_at=at, cursor=at,
    )  # fmt: skip

    text = run()

    assert f"staging (Staging, rest): FAILING since {shown}" in text
    assert f"last success: {shown}; cursor: {shown}" in text


def test_the_oldest_unpublished_event_carries_its_offset(settings):
    settings.TIME_ZONE = "Europe/Moscow"
    store = Store.objects.create(
        name="Staging", slug="staging", base_url="https://shop.example", consumer_key="ck", consumer_secret="cs"
    )
    OrderEvent.objects.create(
        store=store, order_id=1, order_number="1", event_type="order.created", to_status="processing",
        dedupe_key="k1", occurred_at=datetime(2026, 1, 5, 12, 0, tzinfo=UTC),
    )  # fmt: skip
    OrderEvent.objects.update(detected_at=datetime(2026, 1, 5, 12, 0, tzinfo=UTC))

    assert "Unpublished events: 1 (oldest 2026-01-05 15:00:00+03:00)" in run()
