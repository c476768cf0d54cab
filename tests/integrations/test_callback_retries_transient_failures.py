"""Timeouts, 5xx and 429 are retried with backoff under the same Idempotency-Key, then succeed."""

from __future__ import annotations

import json

import pytest

from adolf.celery import app as celery_app
from tests.integrations.conftest import make_service, wait_for_result
from tests.support.loopback import Reply

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_it_retries_server_errors_then_succeeds(celery_worker, microservice):
    make_service("order", microservice.url)
    microservice.then(Reply(503, "busy"), Reply(500, "oops"), Reply(200, {"status": "shipped"}))

    sent = celery_app.send_task("order.update_order_status", args=[9, "shipped", True])

    stored = wait_for_result(sent.id)
    assert (stored.status, json.loads(stored.result)) == ("SUCCESS", {"status": "shipped"})
    assert [request.json()["attempt"] for request in microservice.received] == [1, 2, 3]
    assert {request.headers["Idempotency-Key"] for request in microservice.received} == {sent.id}


def test_it_retries_a_callback_that_times_out(celery_worker, microservice):
    make_service("order", microservice.url, timeout=0.5)
    microservice.then(Reply(200, {"late": True}, delay=2.0))

    sent = celery_app.send_task("order.send_order_confirmation", args=[9, "bob@example.com"])

    stored = wait_for_result(sent.id)
    assert (stored.status, json.loads(stored.result)) == ("SUCCESS", {"ok": True})
    assert len(microservice.received) == 2


def test_it_waits_as_a_rate_limiting_service_asks_then_succeeds(celery_worker, microservice):
    make_service("auth", microservice.url)
    microservice.then(Reply(429, "slow down", headers={"Retry-After": "1"}))

    sent = celery_app.send_task("auth.cleanup_expired_tokens", args=[7])

    assert wait_for_result(sent.id).status == "SUCCESS"
    assert len(microservice.received) == 2


def test_it_gives_up_after_the_services_max_retries(celery_worker, microservice):
    make_service("auth", microservice.url, max_retries=1)
    microservice.default = Reply(502, "bad gateway")

    sent = celery_app.send_task("auth.cleanup_expired_tokens", args=[7])

    stored = wait_for_result(sent.id)
    assert stored.status == "FAILURE"
    assert len(microservice.received) == 2
    assert "CallbackFailed" in stored.result
    assert "auth still failing after 2 attempt(s)" in stored.result
