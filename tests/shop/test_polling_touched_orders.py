"""Touched is not changed: an order never seen before is news only if the store's records date the change.

woocommerce/woocommerce#41226: on HPOS stores opening an order in wp-admin bumps its
modified date. Before: an order cancelled 180 days ago, never seen, viewed today was
announced as a fresh cancellation.
"""

from __future__ import annotations

import pytest
from django.utils import translation

from shop.evidence import resolve
from shop.listing_health import findings
from shop.models import AwaitingEvidence, OrderEvent, OrderState, Store
from shop.polling import poll_store
from shop.rules import CANCELLED, NEW, REFUNDED
from shop.webhooks import refetch
from simulator import StoreServer
from tests.shop.conftest import ago

pytestmark = pytest.mark.django_db


def english(read, *args):
    with translation.override("en"):
        return read(*args)


def cancelled_long_ago(sim, status: str = "cancelled") -> int:
    """An order placed 200 days ago and cancelled (or failed) 180 days ago, opened in wp-admin today."""
    order = sim.store.create_order(status="pending", at=ago(sim, days=200)).id
    sim.store.set_status(order, status, at=ago(sim, days=180))
    sim.store.touch(order)
    return order


def events() -> list[tuple[int, str]]:
    return sorted(OrderEvent.objects.values_list("order_id", "event_type"))


def notes_read(sim) -> int:
    return sum(1 for path in sim.requests if path.endswith("/notes"))


def test_an_order_cancelled_half_a_year_ago_and_opened_today_is_no_news_but_its_state_is_kept(sim, store):
    cancelled = cancelled_long_ago(sim)
    failed = cancelled_long_ago(sim, "failed")

    poll_store(store.pk)

    assert events() == []
    assert dict(OrderState.objects.values_list("order_id", "status")) == {cancelled: "cancelled", failed: "failed"}
    assert not AwaitingEvidence.objects.exists()
    assert Store.objects.get(pk=store.pk).evidence_waiting == 0
    assert notes_read(sim) == 2

    sim.store.set_status(failed, "processing")  # a real change, later: the failed payment goes through
    poll_store(store.pk)

    assert events() == [(failed, NEW)]


def test_an_order_never_seen_that_is_cancelled_now_is_announced_on_the_evidence_of_its_note(sim, store):
    order = sim.store.create_order(status="pending", at=ago(sim, days=10)).id
    sim.store.set_status(order, "cancelled")

    poll_store(store.pk)

    assert events() == [(order, CANCELLED)]
    assert not AwaitingEvidence.objects.exists()


def test_refunds_date_a_refunded_order_never_seen(sim, store):
    old = sim.store.create_order(status="processing", at=ago(sim, days=200)).id
    sim.store.refund(old)
    sim.store.orders[old].refunds[0].created = ago(sim, days=180)
    sim.store.touch(old)
    recent = sim.store.create_order(status="processing", at=ago(sim, days=20)).id
    sim.store.refund(recent)

    poll_store(store.pk)

    assert events() == [(recent, REFUNDED)]
    assert sum(1 for path in sim.requests if path.endswith("/refunds")) == 2


def test_a_completed_order_is_dated_by_its_own_completion_date_without_a_request(sim, store):
    order = sim.store.create_order(status="completed", at=ago(sim, days=180)).id
    sim.store.touch(order)

    poll_store(store.pk)

    assert events() == []
    assert OrderState.objects.get(order_id=order).status == "completed"
    assert notes_read(sim) == 0


def test_when_its_notes_cannot_be_read_the_order_waits_and_nothing_is_announced_or_lost(sim, store):
    order = sim.store.create_order(status="pending", at=ago(sim, days=10)).id
    sim.store.set_status(order, "cancelled")
    sim.store.inject("status", status=503, times=1000, path=f"/wp-json/wc/v3/orders/{order}/notes")

    poll_store(store.pk)

    assert events() == []
    waiting = AwaitingEvidence.objects.get()
    assert (waiting.order_id, waiting.attempts) == (order, 1)
    assert "HTTP 503" in waiting.last_error
    store.refresh_from_db()
    assert store.evidence_waiting == 1
    assert (True, "1 order never seen before waits for its notes or refunds to show whether its change is recent.") in (
        english(findings, store)
    )

    sim.store.faults.clear()
    AwaitingEvidence.objects.update(next_attempt_at=waiting.created)  # its retry time has come
    poll_store(store.pk)

    assert events() == [(order, CANCELLED)]
    assert Store.objects.get(pk=store.pk).evidence_waiting == 0


def test_a_bulk_touch_is_worked_through_a_batch_at_a_time_a_few_requests_at_once(sim, store, settings):
    settings.SHOP_EVIDENCE_BATCH, settings.SHOP_EVIDENCE_CONCURRENCY = 50, 3
    touched = [cancelled_long_ago(sim) for _ in range(120)]

    run = poll_store(store.pk)

    assert run.evidence_due == 70
    assert Store.objects.get(pk=store.pk).evidence_waiting == 70
    store.refresh_from_db()
    assert [resolve(store).decided, resolve(store).decided] == [50, 20]
    assert events() == []
    assert OrderState.objects.filter(order_id__in=touched, status="cancelled").count() == 120
    assert notes_read(sim) == 120
    assert sim.max_in_flight <= 3
    assert Store.objects.get(pk=store.pk).evidence_waiting == 0


def test_a_webhook_of_a_touched_order_announces_nothing(sim, store):
    poll_store(store.pk)
    order = cancelled_long_ago(sim)

    assert refetch(store.pk, order, "order.updated") == []
    assert events() == []
    assert OrderState.objects.get(order_id=order).status == "cancelled"


def test_an_mcp_adapter_store_without_rest_keys_cannot_tell_and_announces_as_before(db, admin_client):
    with StoreServer() as sim:  # as behind https
        config = sim.config("mcp-adapter")
        store = Store.objects.create(
            name="Adapter", slug="adapter", base_url=sim.url, allow_http=True, api=Store.Api.MCP_ADAPTER,
            consumer_key=config.key, consumer_secret=config.secret,
        )  # fmt: skip
        order = cancelled_long_ago(sim)

        poll_store(store.pk)

    assert events() == [(order, CANCELLED)]
    page = admin_client.get(f"/admin/shop/store/{store.pk}/change/", headers={"Accept-Language": "en"}).content
    assert "touched, not changed: this API shows no order notes or refunds" in page.decode()


@pytest.mark.parametrize("language", ["ru_RU", "de_DE"])
def test_on_a_store_in_russian_or_german_a_note_added_by_hand_to_an_old_failed_order_is_no_news(sim, store, language):
    sim.store.language = language
    failed = cancelled_long_ago(sim, "failed")
    sim.store.add_note(failed, "Покупатель просил перезвонить.")  # today, by a shop manager

    poll_store(store.pk)

    assert events() == []  # before: the manager's note stood in for the status change, and it was announced
    assert dict(OrderState.objects.values_list("order_id", "status")) == {failed: "failed"}

    sim.store.set_status(failed, "processing")  # a real change later is still news
    poll_store(store.pk)
    assert events() == [(failed, NEW)]
