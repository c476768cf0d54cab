"""shop.poll_orders in a real worker: retried when the store stumbles, never on a bad key,
and exactly once per event when the worker is killed mid-poll."""

from __future__ import annotations

import os
import signal
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_results.models import TaskResult

from notifications.models import Notification
from shop.models import OrderEvent, PollRun, Store
from shop.tasks import poll_orders
from tests.shop.conftest import ago
from tests.support.processes import pool_children, start_worker, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def finished(task_id: str) -> TaskResult | None:
    return TaskResult.objects.filter(task_id=task_id, status__in=["SUCCESS", "FAILURE"]).first()


def test_server_errors_are_retried_with_backoff_until_the_poll_succeeds(sim, store, celery_worker):
    order = sim.store.create_order(status="processing", at=ago(sim, minutes=1)).id
    sim.store.inject("status", status=502, times=2, path="/wp-json/wc/v3/orders")

    result = poll_orders.delay(store_id=store.pk)
    outcome = wait_for(lambda: finished(result.id), timeout=90, what="the poll to finish")

    assert outcome.status == "SUCCESS"
    assert list(PollRun.objects.order_by("started_at").values_list("outcome", flat=True)) == ["failed", "failed", "ok"]
    assert list(OrderEvent.objects.values_list("order_id", flat=True)) == [order]


def test_a_rate_limited_poll_waits_as_long_as_the_store_asks_then_succeeds(sim, store, celery_worker):
    sim.store.create_order(status="processing", at=ago(sim, minutes=1))
    sim.store.inject("rate_limit", retry_after="1", path="/wp-json/wc/v3/orders")

    result = poll_orders.delay(store_id=store.pk)
    outcome = wait_for(lambda: finished(result.id), timeout=60, what="the poll to finish")

    assert outcome.status == "SUCCESS"
    runs = list(PollRun.objects.order_by("started_at").values_list("outcome", "error_type"))
    assert runs == [("failed", "RateLimitedError"), ("ok", "")]


def test_a_wrong_key_is_not_retried_and_alerts_once(sim, store, celery_worker):
    store.consumer_secret = "cs_wrong"
    store.save()

    result = poll_orders.delay(store_id=store.pk)
    outcome = wait_for(lambda: finished(result.id), timeout=60, what="the poll to fail")

    assert outcome.status == "FAILURE"
    assert "AuthenticationError" in outcome.result
    assert PollRun.objects.count() == 1
    assert list(Notification.objects.values_list("event_type", flat=True)) == ["shop.store.auth_failed"]


def test_a_redirected_store_is_not_retried_and_alerts_once_naming_the_address(sim, store, celery_worker):
    sim.store.redirect_to = "https://www.shop.example"

    result = poll_orders.delay(store_id=store.pk)
    outcome = wait_for(lambda: finished(result.id), timeout=60, what="the poll to fail")

    assert outcome.status == "FAILURE"
    assert PollRun.objects.count() == 1
    (alert,) = Notification.objects.all()
    assert alert.event_type == "shop.store.misconfigured"
    assert "configure that URL instead" in alert.message


def test_a_store_failing_for_long_alerts_from_the_worker_and_its_retry_heals_it(sim, store, celery_worker):
    Store.objects.filter(pk=store.pk).update(failing_since=timezone.now() - timedelta(hours=1))
    sim.store.inject("status", status=502, times=1, path="/wp-json/wc/v3/orders")

    result = poll_orders.delay(store_id=store.pk)
    outcome = wait_for(lambda: finished(result.id), timeout=90, what="the poll to finish")

    assert outcome.status == "SUCCESS"
    assert list(PollRun.objects.order_by("started_at").values_list("outcome", flat=True)) == ["failed", "ok"]
    assert list(Notification.objects.order_by("created", "pk").values_list("event_type", flat=True)) == [
        "shop.store.unreachable",
        "shop.store.recovered",
    ]


def test_a_worker_killed_mid_poll_loses_and_repeats_no_event(sim, store, tmp_path):
    poll_orders.apply(kwargs={"store_id": store.pk})  # the first poll, in-process
    orders = [sim.store.create_order(status="processing").id for _ in range(250)]
    # Faults are served in order: page one passes, page two hangs; the kill lands between.
    sim.store.inject("slow", delay=0, path="/wp-json/wc/v3/orders")
    sim.store.inject("slow", delay=30, path="/wp-json/wc/v3/orders")
    # A short lease (and so a short request timeout: adolf.checks) runs out soon after the kill.
    worker = start_worker(tmp_path, queues=("default",), SHOP_POLL_LEASE_SECONDS="3", SHOP_STORE_TIMEOUT="2")
    try:
        poll_orders.delay(store_id=store.pk)
        wait_for(lambda: OrderEvent.objects.filter(order_id__in=orders).exists(), timeout=60, what="page one")
        killed_at = timezone.now()
        for pid in pool_children(worker):
            os.kill(pid, signal.SIGKILL)

        def a_poll_completed_since_the_kill() -> bool:
            # reject_on_worker_lost hands the task back; while the dead poll's lease lasts it
            # is skipped, and a later poll reads on from the unchanged cursor.
            if PollRun.objects.filter(outcome="ok", started_at__gt=killed_at).exists():
                return True
            if not Store.objects.filter(pk=store.pk, poll_lease_until__gt=timezone.now()).exists():
                poll_orders.delay(store_id=store.pk)
            return False

        wait_for(a_poll_completed_since_the_kill, timeout=120, interval=2, what="a poll after the kill")
    finally:
        worker.stop()

    assert "WorkerLostError" in worker.log() or "SIGKILL" in worker.log()
    counts = Counter(OrderEvent.objects.filter(order_id__in=orders).values_list("order_id", flat=True))
    assert counts == dict.fromkeys(orders, 1)


def test_poll_orders_without_a_store_polls_every_enabled_store(sim, celery_worker):
    from tests.shop.conftest import store_for

    first, second = store_for(sim, slug="one"), store_for(sim, slug="two")
    store_for(sim, slug="off", enabled=False)

    assert poll_orders.delay().get(timeout=30) == {"stores": [first.pk, second.pk]}
    wait_for(lambda: PollRun.objects.filter(outcome="ok").count() == 2, timeout=60, what="both polls")
    assert set(PollRun.objects.values_list("store__slug", flat=True)) == {"one", "two"}
