"""Queue lengths are read from the broker at scrape time: what waits while the worker is busy."""

from __future__ import annotations

import pytest

from adolf.tasks import ping
from shop.models import PollRun
from shop.tasks import poll_orders
from tests.support.metrics import scrape, scrape_process, value
from tests.support.processes import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_tasks_waiting_behind_a_slow_poll_are_counted_on_their_queue(sim, store, client, celery_worker):
    # The worker runs one task at a time: while the store is slow to answer, pings wait.
    sim.store.inject("slow", delay=6, path="/wp-json/wc/v3/orders")
    poll = poll_orders.delay(store_id=store.pk)
    wait_for(lambda: PollRun.objects.filter(outcome="running").exists(), timeout=30, what="the poll to start")
    pings = [ping.delay() for _ in range(3)]

    samples = scrape(client)

    assert value(samples, "adolf_broker_up") == 1
    assert value(samples, "adolf_queue_length", queue="default") == 3
    assert value(samples, "adolf_queue_length", queue="product") == 0
    # The running task is the worker's to tell, on its own port.
    assert value(scrape_process(celery_worker), "adolf_tasks_running", task="shop.poll_orders") == 1
    poll.get(timeout=60)
    assert [result.get(timeout=30) for result in pings] == ["pong"] * 3
    assert value(scrape(client), "adolf_queue_length", queue="default") == 0
