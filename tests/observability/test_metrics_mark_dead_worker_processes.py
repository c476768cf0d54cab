"""A prefork child that exits is marked dead: its live gauges go, its counters stay in the sum."""

from __future__ import annotations

import os
import signal
import uuid

import pytest

from adolf.celery import app as celery_app
from adolf.multiproc import base, process_identifier
from adolf.tasks import ping
from shop.models import PollRun
from shop.tasks import poll_orders
from tests.support.metrics import scrape_process, value
from tests.support.processes import pool_children, start_worker, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def files_of(worker, pid: int) -> set[str]:
    """The kinds of metric files a pool child left in its worker's own directory."""
    suffix = f"_{process_identifier(pid)}.db"
    directory = base() / f"worker-{process_identifier(worker.process.pid)}"
    return {path.name.removesuffix(suffix) for path in directory.glob(f"*{suffix}")}


def test_a_stopped_workers_children_leave_their_counters_and_take_their_live_gauges(client, tmp_path):
    queue = f"metrics-{uuid.uuid4().hex[:8]}"  # a queue of its own: no other worker takes the task
    worker = start_worker(tmp_path, queues=(queue,), concurrency=1)
    try:
        [child] = pool_children(worker)
        before = scrape_process(worker)
        assert ping.apply_async(queue=queue).get(timeout=30) == "pong"
        assert files_of(worker, child) >= {"counter", "gauge_livesum"}
        during = scrape_process(worker)
    finally:
        worker.stop()

    assert "gauge_livesum" not in files_of(worker, child)
    assert "counter" in files_of(worker, child)
    finished = "adolf_tasks_finished_total"
    labels = {"task": "adolf.ping", "state": "SUCCESS"}
    assert value(during, finished, **labels) - value(before, finished, **labels) == 1
    assert value(during, "adolf_tasks_running", task="adolf.ping") == 0


def test_a_child_killed_mid_task_is_marked_dead_by_its_replacement(sim, store, tmp_path):
    queue = f"metrics-{uuid.uuid4().hex[:8]}"
    worker = start_worker(tmp_path, queues=(queue,), concurrency=1)
    try:
        [child] = pool_children(worker)
        sim.store.inject("slow", delay=30, path="/wp-json/wc/v3/orders")
        poll_orders.apply_async(kwargs={"store_id": store.pk}, queue=queue)
        # Every child has live gauges from its start (each task's running count at 0): wait for the poll itself.
        wait_for(lambda: PollRun.objects.filter(outcome="running").exists(), timeout=30, what="the poll to start")
        assert "gauge_livesum" in files_of(worker, child)

        os.kill(child, signal.SIGKILL)  # no shutdown signal runs in a killed process

        wait_for(lambda: "gauge_livesum" not in files_of(worker, child), timeout=30, what="the dead child to be marked")
        assert "histogram" in files_of(worker, child)  # what it recorded stays in the sums
        assert child not in pool_children(worker)
    finally:
        worker.stop()
        purge(queue)  # the killed poll went back to the queue


def purge(queue: str) -> None:
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge(queue)
