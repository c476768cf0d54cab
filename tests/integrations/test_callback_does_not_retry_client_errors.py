"""A 4xx answer (or a redirect) is final: one request, a FAILURE saying what the service said."""

from __future__ import annotations

import pytest

from adolf.celery import app as celery_app
from tests.integrations.conftest import make_service, wait_for_result
from tests.support.loopback import Reply

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("status", [400, 401, 404, 422])
def test_it_does_not_retry_a_client_error(celery_worker, microservice, status):
    make_service("cart", microservice.url)
    microservice.then(Reply(status, {"detail": "cart anon-1 does not exist"}))

    sent = celery_app.send_task("cart.merge_carts", args=["anon-1", "user-1"])

    stored = wait_for_result(sent.id)
    assert stored.status == "FAILURE"
    assert len(microservice.received) == 1
    assert "CallbackRejected" in stored.result
    assert f"answered HTTP {status}" in stored.result
    assert "cart anon-1 does not exist" in stored.result


def test_it_does_not_follow_or_retry_a_redirect(celery_worker, microservice):
    make_service("cart", microservice.url)
    microservice.then(Reply(301, headers={"Location": "http://elsewhere.example/"}))

    sent = celery_app.send_task("cart.merge_carts", args=["anon-1", "user-1"])

    stored = wait_for_result(sent.id)
    assert stored.status == "FAILURE"
    assert len(microservice.received) == 1
    assert "redirected" in stored.result
