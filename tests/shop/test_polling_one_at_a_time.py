"""Two polls of one store never run at once: beat, a manual poll and a redelivered task."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from shop import locks
from shop.models import OrderEvent, PollRun, Store
from shop.polling import PollSkipped, poll_store
from tests.shop.conftest import ago


@pytest.mark.django_db
def test_a_poll_finds_the_store_leased_and_records_that_it_skipped(sim, store):
    sim.store.create_order(status="processing", at=ago(sim, minutes=2))
    assert locks.claim(store.pk) is not None  # another poll is running

    with pytest.raises(PollSkipped):
        poll_store(store.pk)

    assert list(PollRun.objects.values_list("outcome", flat=True)) == [PollRun.Outcome.SKIPPED]
    assert not OrderEvent.objects.exists()


@pytest.mark.django_db
def test_the_lease_is_released_when_a_poll_ends_and_runs_out_when_a_poll_dies(sim, store, settings):
    poll_store(store.pk)
    token = locks.claim(store.pk)
    assert token is not None  # released by the finished poll
    locks.release(store.pk, token)

    settings.SHOP_POLL_LEASE_SECONDS = 1
    locks.claim(store.pk)  # a poll that died holding the lease...
    # ...whose lease has run out (by the database's clock, which SQLite keeps in milliseconds)
    Store.objects.filter(pk=store.pk).update(poll_lease_until=timezone.now() - timedelta(seconds=1))
    assert poll_store(store.pk).outcome == PollRun.Outcome.OK  # ...does not block the next one


@pytest.mark.django_db(transaction=True)
def test_two_polls_started_together_yield_one_run_and_each_event_once(sim, store):
    orders = [sim.store.create_order(status="processing", at=ago(sim, minutes=3)).id for _ in range(5)]
    # Slow pages widen the window in which the two polls overlap.
    sim.store.inject("slow", times=4, delay=0.5, path="/wp-json/wc/v3/orders")
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def poll() -> None:
        start.wait()
        try:
            outcomes.append(poll_store(store.pk).outcome)
        except PollSkipped:
            outcomes.append("skipped")
        finally:
            connection.close()

    threads = [threading.Thread(target=poll) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["ok", "skipped"]
    assert Counter(OrderEvent.objects.values_list("order_id", flat=True)) == dict.fromkeys(orders, 1)
