"""/health/ is unhealthy (503) while no worker answers, and healthy again once one does."""

from __future__ import annotations

import httpx
import pytest

from tests.support.brokers import private_broker
from tests.support.processes import start_worker
from tests.support.web import start_web

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def health(url: str) -> httpx.Response:
    return httpx.get(f"{url}/health/", timeout=15)


def test_health_turns_unhealthy_when_the_worker_is_gone_and_healthy_when_it_is_back(tmp_path):
    # Web and worker on a broker of their own, so no other test's worker answers the ping.
    env, control = private_broker(tmp_path / "data")
    env["HEALTH_TIMEOUT_SECONDS"] = "1"
    web, url = start_web(tmp_path, **env)
    try:
        alone = health(url)
        worker = start_worker(tmp_path, control=control, **env)
        try:
            served = health(url)
        finally:
            worker.stop()
        gone = health(url)
        worker = start_worker(tmp_path, control=control, **env)
        try:
            back = health(url)
        finally:
            worker.stop()
    finally:
        web.stop()
        control.close()

    assert [alone.status_code, served.status_code, gone.status_code, back.status_code] == [503, 200, 503, 200]
    assert alone.json()["reason"] == "No active workers"
    assert alone.json()["components"]["workers"] == {"status": "unhealthy", "reason": "No active workers"}
    assert served.json()["status"] == "healthy"
    assert served.json()["components"]["workers"]["status"] == "healthy"
    assert {name: part["status"] for name, part in gone.json()["components"].items()} == {
        "database": "healthy",
        "broker": "healthy",
        "workers": "unhealthy",
        "stores": "healthy",
    }
    assert back.json()["status"] == "healthy"
