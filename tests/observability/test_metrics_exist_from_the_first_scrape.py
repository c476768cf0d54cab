"""A fresh deployment's first scrape of each instance already has every family, each known label value at zero."""

from __future__ import annotations

import httpx
import pytest

from adolf.celery import SERVICE_QUEUES
from notifications.models import ChannelKind
from shop.rules import EVENT_TYPES
from tests.support.metrics import Samples, parse
from tests.support.processes import free_port, start_beat, start_worker, wait_for
from tests.support.web import start_web

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def at_zero(samples: Samples, name: str, **labels: str) -> bool:
    return samples.get((name, tuple(sorted(labels.items())))) == 0.0


def expected_at_zero() -> list[tuple[str, dict[str, str]]]:
    """The samples every process sets to zero as it starts (each app's operations module)."""
    return [
        *(("shop_notifications_sent_total", {"event_type": event_type}) for event_type in EVENT_TYPES),
        *(
            ("adolf_deliveries_total", {"channel_kind": kind, "outcome": outcome})
            for kind in ChannelKind.values
            for outcome in ("sent", "retry", "failed", "dead", "held")
        ),
        *(
            ("adolf_task_submissions_total", {"service": service, "outcome": outcome})
            for service in SERVICE_QUEUES
            for outcome in ("queued", "duplicate", "refused")
        ),
        ("shop_poll_orders_count_total", {"status": "processing"}),
        ("shop_poll_errors_total", {"error_type": "AuthenticationError"}),
        ("shop_poll_duration_seconds_count", {}),
        ("shop_poll_lag_seconds_count", {}),
    ]


def not_at_zero(samples: Samples) -> list[str]:
    """The expected samples this scrape lacks (or has at another value), by name and labels."""
    return [f"{name}{labels}" for name, labels in expected_at_zero() if not at_zero(samples, name, **labels)]


def scrape(url: str) -> Samples:
    response = httpx.get(url, timeout=30)
    assert response.status_code == 200, response.text
    return parse(response.text)


def answer(url: str) -> httpx.Response | None:
    try:
        return httpx.get(url, timeout=5)
    except httpx.ConnectError:
        return None


def test_every_instance_serves_every_family_at_zero_before_anything_happened(tmp_path):
    # Each instance starts with a metrics directory of its own, as on a new deployment.
    web, url = start_web(tmp_path)
    worker = start_worker(tmp_path, queues=("metrics-fresh",))
    beat_port = free_port()
    beat = start_beat(tmp_path, METRICS_LISTEN=f"127.0.0.1:{beat_port}")
    try:
        from_web = scrape(f"{url}/metrics")
        from_worker = scrape(worker.metrics_url)
        wait_for(lambda: answer(f"http://127.0.0.1:{beat_port}/health/live"), timeout=30, what="beat's port")
        from_beat = scrape(f"http://127.0.0.1:{beat_port}/metrics")
    finally:
        beat.stop()
        worker.stop()
        web.stop()

    assert not_at_zero(from_web) == []
    assert not_at_zero(from_worker) == []
    assert not_at_zero(from_beat) == []
    # The tasks' families come from the worker's pool, each task of ours in each state.
    assert at_zero(from_worker, "adolf_tasks_finished_total", task="shop.poll_orders", state="FAILURE")
    assert at_zero(from_worker, "adolf_tasks_finished_total", task="shop.dispatch_polls", state="SUCCESS")
    assert at_zero(from_worker, "adolf_tasks_running", task="notifications.dispatch_delivery")
