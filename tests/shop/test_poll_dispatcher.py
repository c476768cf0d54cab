"""The dispatcher enqueues each due store once, held until its due time, and moves its schedule on."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from prometheus_client import REGISTRY

from shop import schedules
from shop.models import PollRun, Store
from tests.shop.conftest import store_for
from tests.shop.factories import StoreFactory


def due(store: Store, seconds: float) -> None:
    Store.objects.filter(pk=store.pk).update(next_poll_at=timezone.now() + timedelta(seconds=seconds))


@pytest.mark.django_db
def test_it_claims_the_stores_due_before_the_horizon_and_moves_each_one_interval_on():
    now = timezone.now()
    late, soon, later, off = StoreFactory(), StoreFactory(poll_interval=30), StoreFactory(), StoreFactory()
    Store.objects.filter(pk=late.pk).update(next_poll_at=now - timedelta(seconds=3))
    Store.objects.filter(pk=soon.pk).update(next_poll_at=now + timedelta(seconds=4))
    Store.objects.filter(pk=later.pk).update(next_poll_at=now + timedelta(seconds=40))
    Store.objects.filter(pk=off.pk).update(next_poll_at=now - timedelta(seconds=3), enabled=False)
    sent = []

    claimed = schedules.dispatch(sent.append, now=now)

    assert [poll.store_id for poll in sent] == [late.pk, soon.pk] == [poll.store_id for poll in claimed]
    assert [poll.due for poll in sent] == [now - timedelta(seconds=3), now + timedelta(seconds=4)]
    assert [poll.expires for poll in sent] == [now + timedelta(seconds=57), now + timedelta(seconds=34)]
    assert Store.objects.get(pk=late.pk).next_poll_at == now + timedelta(seconds=57)
    assert Store.objects.get(pk=soon.pk).next_poll_at == now + timedelta(seconds=34)
    assert schedules.dispatch(sent.append, now=now) == []  # claimed once


@pytest.mark.django_db
def test_a_store_far_behind_is_polled_once_now_not_once_per_missed_interval():
    now = timezone.now()
    store = StoreFactory(poll_interval=60)
    Store.objects.filter(pk=store.pk).update(next_poll_at=now - timedelta(hours=3))

    (poll,) = schedules.dispatch(lambda poll: None, now=now)

    assert poll.due == now - timedelta(hours=3)
    assert Store.objects.get(pk=store.pk).next_poll_at == now + timedelta(seconds=60)


@pytest.mark.django_db
def test_a_store_without_a_due_time_is_due_now():
    now = timezone.now()
    store = StoreFactory()
    Store.objects.filter(pk=store.pk).update(next_poll_at=None)
    (poll,) = schedules.dispatch(lambda poll: None, now=now)
    assert (poll.store_id, poll.due) == (store.pk, now)


@pytest.mark.django_db
def test_a_broker_that_refuses_a_poll_leaves_the_store_due_for_the_next_run():
    store = StoreFactory()
    before = Store.objects.get(pk=store.pk).next_poll_at

    def refuse(poll):
        raise ConnectionError("broker down")

    with pytest.raises(ConnectionError):
        schedules.dispatch(refuse)
    assert Store.objects.get(pk=store.pk).next_poll_at == before


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_never_enqueue_one_due_time_twice():
    for _ in range(6):
        due(StoreFactory(), -1)
    holding, release = threading.Event(), threading.Event()
    claimed: dict[str, list[int]] = {"first": [], "second": []}

    def slow_send(poll):
        claimed["first"].append(poll.store_id)
        holding.set()
        release.wait(10)  # the first run holds its claim open while the second runs

    def run(name, send, **options):
        try:
            claimed[name] += [poll.store_id for poll in schedules.dispatch(send, **options)]
        finally:
            connection.close()

    first = threading.Thread(target=run, args=("first", slow_send), kwargs={"limit": 3})
    first.start()
    assert holding.wait(10)
    # PostgreSQL skips the rows the first run holds; SQLite makes the second run wait for it.
    second = threading.Thread(target=run, args=("second", lambda poll: None))
    second.start()
    second.join(2)
    release.set()
    first.join(10)
    second.join(30)

    assert len(set(claimed["first"])) == 3
    assert len(claimed["second"]) == 3
    assert not set(claimed["first"]) & set(claimed["second"])


@pytest.mark.django_db
def test_the_dispatcher_task_publishes_each_poll_held_until_due_and_dropped_once_stale(monkeypatch):
    from shop import tasks

    store = StoreFactory()
    due(store, 4)
    published = []
    monkeypatch.setattr(tasks.poll_orders, "apply_async", lambda **options: published.append(options))

    assert tasks.dispatch_polls.apply().get() == 1

    [options] = published
    polled = Store.objects.get(pk=store.pk)
    assert options["kwargs"]["store_id"] == store.pk
    assert options["kwargs"]["trigger"] == "beat"
    assert options["eta"].isoformat() == options["kwargs"]["due"]
    assert options["expires"] == polled.next_poll_at


@pytest.mark.django_db
def test_a_scheduled_poll_records_how_late_it_started(sim):
    from shop.tasks import poll_orders

    store = store_for(sim)
    was_due = timezone.now() - timedelta(seconds=7)

    def bucket(le: str) -> float:
        return REGISTRY.get_sample_value("shop_poll_lag_seconds_bucket", {"le": le}) or 0

    before = bucket("5.0"), bucket("30.0")

    poll_orders.apply(kwargs={"store_id": store.pk, "due": was_due.isoformat()}).get()

    run = PollRun.objects.get(store=store)
    assert run.due_at == was_due
    assert 7 <= (run.started_at - run.due_at).total_seconds() < 30
    assert (bucket("5.0"), bucket("30.0")) == (before[0], before[1] + 1)
