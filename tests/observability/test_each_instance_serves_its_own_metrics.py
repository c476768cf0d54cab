"""Workers and beat serve their own metrics on a port of their own; no instance sees another's values."""

from __future__ import annotations

import uuid

import httpx
import pytest

from adolf.tasks import ping
from tests.support.metrics import scrape_process, value
from tests.support.processes import free_port, start_beat, start_worker, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
FINISHED = {"task": "adolf.ping", "state": "SUCCESS"}


def answer(url: str) -> httpx.Response | None:
    try:
        return httpx.get(url, timeout=5)
    except httpx.ConnectError:
        return None


def test_two_workers_serve_their_own_values_and_no_one_elses(tmp_path):
    queues = [f"metrics-{uuid.uuid4().hex[:8]}" for _ in range(2)]
    first, second = (start_worker(tmp_path, queues=(queue,)) for queue in queues)
    try:
        before = [value(scrape_process(w), "adolf_tasks_finished_total", **FINISHED) for w in (first, second)]
        assert ping.apply_async(queue=queues[0]).get(timeout=30) == "pong"
        after = [value(scrape_process(w), "adolf_tasks_finished_total", **FINISHED) for w in (first, second)]
        live = httpx.get(first.metrics_url.replace("/metrics", "/health/live"), timeout=5)
    finally:
        first.stop()
        second.stop()
    assert (after[0] - before[0], after[1] - before[1]) == (1, 0)
    assert (live.status_code, live.json()) == (200, {"status": "alive"})


def test_a_workers_metrics_need_the_token_when_one_is_set(tmp_path):
    worker = start_worker(tmp_path, queues=(f"metrics-{uuid.uuid4().hex[:8]}",), METRICS_TOKEN="scrape-me-0123456789")
    try:
        refused = httpx.get(worker.metrics_url, timeout=5)
        allowed = httpx.get(worker.metrics_url, headers={"Authorization": "Bearer scrape-me-0123456789"}, timeout=5)
    finally:
        worker.stop()
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert allowed.status_code == 200
    assert "# TYPE shop_poll_duration_seconds histogram" in allowed.text


def test_beat_serves_its_liveness_and_metrics_on_its_own_port(tmp_path):
    port = free_port()
    beat = start_beat(tmp_path, METRICS_LISTEN=f"127.0.0.1:{port}")
    try:
        # Beat starts serving as it starts its loop, just after it logs "beat: Starting".
        live = wait_for(lambda: answer(f"http://127.0.0.1:{port}/health/live"), timeout=30, what="beat's port")
        scraped = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
        unknown = httpx.get(f"http://127.0.0.1:{port}/admin/", timeout=5)
    finally:
        beat.stop()
    assert live.status_code == 200
    assert scraped.status_code == 200
    assert scraped.headers["Content-Type"].startswith("text/plain; version=")
    assert unknown.status_code == 404
