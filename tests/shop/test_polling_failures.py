"""Store failures, per the seed's table: recorded on every run; a key problem alerts once per outage."""

from __future__ import annotations

import pytest

from notifications.models import Notification
from shop.alerts import STORE_AUTH_FAILED, STORE_RECOVERED
from shop.models import OrderEvent, PollRun
from shop.polling import poll_store
from shop.woocommerce.errors import AuthenticationError, InvalidResponseError, TransientError

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def alerts() -> list[tuple[str, str]]:
    return list(Notification.objects.order_by("created", "pk").values_list("event_type", "level"))


def test_a_wrong_key_fails_the_poll_marks_the_store_and_alerts_once_per_outage(sim, store):
    store.consumer_secret = "cs_wrong"
    store.save()

    for _ in range(3):
        with pytest.raises(AuthenticationError):
            poll_store(store.pk)

    store.refresh_from_db()
    assert store.failing_since is not None
    assert "authentication refused" in store.last_error
    assert alerts() == [(STORE_AUTH_FAILED, "error")]
    assert set(PollRun.objects.values_list("outcome", "error_type")) == {("failed", "AuthenticationError")}
    assert "cs_wrong" not in store.last_error


def test_fixing_the_key_heals_the_store_and_says_so_once(sim, store):
    good_secret = store.consumer_secret
    store.consumer_secret = "cs_wrong"
    store.save()
    with pytest.raises(AuthenticationError):
        poll_store(store.pk)

    store.consumer_secret = good_secret
    store.save()
    poll_store(store.pk)
    poll_store(store.pk)

    store.refresh_from_db()
    assert (store.failing_since, store.last_error, store.outage_alerted) == (None, "", False)
    assert alerts() == [(STORE_AUTH_FAILED, "error"), (STORE_RECOVERED, "info")]


def test_a_malformed_page_is_recorded_with_a_sample_and_the_cursor_stays(sim, store):
    poll_store(store.pk)
    store.refresh_from_db()
    cursor = store.cursor
    sim.store.inject("malformed", path="/wp-json/wc/v3/orders")

    with pytest.raises(InvalidResponseError):
        poll_store(store.pk)

    run = PollRun.objects.order_by("-started_at").first()
    assert (run.outcome, run.error_type) == ("failed", "InvalidResponseError")
    assert "sample:" in run.error_message
    store.refresh_from_db()
    assert store.cursor == cursor
    assert alerts() == []  # not an outage of credentials


def test_a_server_error_half_way_keeps_the_pages_read_and_the_next_poll_finishes(sim, store):
    poll_store(store.pk)
    orders = [sim.store.create_order(status="processing").id for _ in range(150)]

    def fail_next_page(page, run) -> None:
        if page.number == 1:
            sim.store.inject("status", status=502, path="/wp-json/wc/v3/orders")

    with pytest.raises(TransientError):
        poll_store(store.pk, on_page=fail_next_page)
    failed = PollRun.objects.order_by("-started_at").first()
    assert (failed.outcome, failed.pages) == ("failed", 1)
    assert 0 < OrderEvent.objects.count() < len(orders)  # the first page is kept

    assert poll_store(store.pk).outcome == "ok"
    assert sorted(OrderEvent.objects.values_list("order_id", flat=True)) == orders
