"""/health/ names an unreachable database and broker (503) to a token holder, fast; /health/live still answers."""

from __future__ import annotations

import httpx
import pytest

from tests.support.web import start_web

pytestmark = pytest.mark.e2e


def test_an_unreachable_database_and_broker_make_health_fail_fast_and_say_why(tmp_path):
    web, url = start_web(
        tmp_path,
        DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere",
        CELERY_BROKER_URL="redis://127.0.0.1:1/0",
        HEALTH_TIMEOUT_SECONDS="1",
        HEALTH_TOKEN="monitoring-token",
    )
    try:
        health = httpx.get(f"{url}/health/", headers={"Authorization": "Bearer monitoring-token"}, timeout=30)
        live = httpx.get(f"{url}/health/live", timeout=5)
    finally:
        web.stop()

    assert health.status_code == 503
    report = health.json()
    components = report["components"]
    assert {name: part["status"] for name, part in components.items()} == {
        "database": "unhealthy",
        "broker": "unhealthy",
        "workers": "unhealthy",
        "stores": "unhealthy",
    }
    assert components["database"]["reason"].startswith("Database unreachable: OperationalError")
    assert components["broker"]["reason"].startswith("Broker unreachable")
    assert components["stores"]["reason"] == "Unknown: the database is unreachable"
    assert report["reason"].startswith("Database unreachable")
    assert (live.status_code, live.json()) == (200, {"status": "alive"})
