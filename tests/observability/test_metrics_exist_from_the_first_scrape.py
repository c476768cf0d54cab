"""A fresh deployment's first scrape already has every family, each known label value at zero."""

from __future__ import annotations

import httpx
import pytest

from adolf.celery import SERVICE_QUEUES
from notifications.models import ChannelKind
from shop.rules import EVENT_TYPES
from tests.support.metrics import parse
from tests.support.processes import start_worker
from tests.support.web import start_web

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_every_family_is_there_at_zero_before_anything_happened(tmp_path):
    fresh = tmp_path / "prometheus"  # nothing recorded yet, as on a new deployment
    fresh.mkdir()
    web, url = start_web(tmp_path, PROMETHEUS_MULTIPROC_DIR=str(fresh))
    worker = start_worker(tmp_path, queues=("metrics-fresh",), PROMETHEUS_MULTIPROC_DIR=str(fresh))
    try:
        response = httpx.get(f"{url}/metrics", timeout=30)
    finally:
        worker.stop()
        web.stop()

    assert response.status_code == 200
    samples = parse(response.text)

    def at_zero(name: str, **labels: str) -> bool:
        return samples.get((name, tuple(sorted(labels.items())))) == 0.0

    assert all(at_zero("shop_notifications_sent_total", event_type=event_type) for event_type in EVENT_TYPES)
    assert all(
        at_zero("adolf_deliveries_total", channel_kind=kind, outcome=outcome)
        for kind in ChannelKind.values
        for outcome in ("sent", "retry", "failed", "dead", "held")
    )
    assert all(
        at_zero("adolf_task_submissions_total", service=service, outcome=outcome)
        for service in SERVICE_QUEUES
        for outcome in ("queued", "duplicate", "refused")
    )
    assert at_zero("shop_poll_orders_count_total", status="processing")
    assert at_zero("shop_poll_errors_total", error_type="AuthenticationError")
    assert at_zero("shop_poll_duration_seconds_count")
    assert at_zero("adolf_tasks_finished_total", task="shop.poll_orders", state="FAILURE")
    assert at_zero("adolf_tasks_running", task="notifications.dispatch_delivery")
