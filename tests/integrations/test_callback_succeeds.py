"""A worker runs a microservice task by calling its service back; the answer is the result."""

from __future__ import annotations

import json

import pytest

from adolf.celery import app as celery_app
from tests.integrations.conftest import make_service, wait_for_result
from tests.support.loopback import Reply

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_it_posts_the_task_to_its_service_with_token_and_idempotency_key(celery_worker, microservice):
    make_service("auth", microservice.url, token="s3cret-callback-token")
    microservice.then(Reply(200, {"sent": True, "message_id": "m-1"}))

    sent = celery_app.send_task("auth.send_verification_email", args=[42, "ann@example.com", "https://shop/v/abc"])

    stored = wait_for_result(sent.id)
    assert stored.status == "SUCCESS"
    assert json.loads(stored.result) == {"sent": True, "message_id": "m-1"}
    assert stored.task_name == "auth.send_verification_email"
    [request] = microservice.received
    assert (request.method, request.path) == ("POST", "/internal/tasks/auth.send_verification_email")
    assert request.headers["Authorization"] == "Bearer s3cret-callback-token"
    assert request.headers["Idempotency-Key"] == sent.id
    assert request.headers["Content-Type"] == "application/json"
    assert request.json() == {
        "task": "auth.send_verification_email",
        "task_id": sent.id,
        "attempt": 1,
        "arguments": {"user_id": 42, "email": "ann@example.com", "verification_link": "https://shop/v/abc"},
    }


def test_the_base_urls_path_is_kept_and_defaults_are_sent_by_name(celery_worker, microservice):
    make_service("product", f"{microservice.url}/api/v1/")

    sent = celery_app.send_task("product.update_stock", args=[7, -2])

    assert wait_for_result(sent.id).status == "SUCCESS"
    [request] = microservice.received
    assert request.path == "/api/v1/internal/tasks/product.update_stock"
    assert request.json()["arguments"] == {"product_id": 7, "quantity_delta": -2, "reason": "order"}


def test_an_empty_answer_is_a_success_with_no_result(celery_worker, microservice):
    make_service("cart", microservice.url, token="")
    microservice.then(Reply(204))

    sent = celery_app.send_task("cart.merge_carts", kwargs={"anonymous_cart_id": "anon-1", "user_cart_id": 5})

    stored = wait_for_result(sent.id)
    assert (stored.status, json.loads(stored.result)) == ("SUCCESS", None)
    assert "Authorization" not in microservice.received[0].headers
