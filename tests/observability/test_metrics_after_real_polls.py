"""Metrics after real polls: recorded in a real worker's pool process and served by that worker itself."""

from __future__ import annotations

import pytest

from shop.models import PollRun
from shop.tasks import poll_orders
from tests.shop.conftest import ago
from tests.support.metrics import scrape, scrape_process, value
from tests.support.processes import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_polls_run_by_the_worker_show_up_in_the_workers_own_scrape(sim, store, client, celery_worker):
    # The first poll sets the cursor; orders changed after it are what the next poll reads.
    poll_orders.delay(store_id=store.pk).get(timeout=60)
    for _ in range(3):
        sim.store.create_order(status="processing", at=ago(sim, seconds=1))
    sim.store.create_order(status="pending", at=ago(sim, seconds=1))
    before = scrape_process(celery_worker)

    poll_orders.delay(store_id=store.pk).get(timeout=60)
    wait_for(lambda: PollRun.objects.filter(outcome="ok").count() == 2, timeout=30, what="the second poll")
    after = scrape_process(celery_worker)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("shop_poll_duration_seconds_count") == 1
    assert grew("shop_poll_duration_seconds_sum") > 0
    assert grew("shop_poll_duration_seconds_bucket", le="+Inf") == 1
    assert grew("shop_poll_orders_count_total", status="processing") == 3
    assert grew("shop_poll_orders_count_total", status="pending") == 1
    assert grew("adolf_tasks_finished_total", task="shop.poll_orders", state="SUCCESS") == 1
    # Three new paid orders became three notifications; a pending order is not an event staff hear of.
    wait_for(
        lambda: grew_now(celery_worker, before, "shop_notifications_sent_total", event_type="shop.order.new") == 3,
        timeout=30,
        what="the notifications to be published",
    )
    web = scrape(client)
    assert value(web, "shop_store_failing", store="sim") == 0
    store.refresh_from_db()
    assert value(web, "shop_store_last_success_timestamp_seconds", store="sim") == store.last_success_at.timestamp()


def grew_now(worker, before, name: str, **labels: str) -> float:
    return value(scrape_process(worker), name, **labels) - value(before, name, **labels)


def test_no_sample_carries_an_order_or_a_customer(sim, store, client, celery_worker):
    order = sim.store.create_order(status="processing", at=ago(sim, minutes=1))
    poll_orders.delay(store_id=store.pk).get(timeout=60)

    samples = {**scrape(client), **scrape_process(celery_worker)}
    labels = {key for (_, pairs) in samples for key, _ in pairs}
    values = {str(val) for (_, pairs) in samples for _, val in pairs}

    assert labels <= {"status", "error_type", "event_type", "channel_kind", "outcome", "service", "task", "state",
                      "queue", "store", "le"}  # fmt: skip
    assert str(order.id) not in values
