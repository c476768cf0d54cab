"""Messages from the producer client are run by a stock Celery worker and by ADOLF's worker."""

from __future__ import annotations

import json
import uuid

import pytest

from integrations.client.celery_utils import send_celery_task
from tests.integrations.conftest import make_service, wait_for_result

pytestmark = pytest.mark.e2e


def test_a_stock_worker_runs_the_clients_message_and_stores_its_result(stock_worker, producer_redis):
    queue, reader = stock_worker

    kwargs = {"verification_link": "https://shop/v/abc"}

    task_id = send_celery_task(
        "auth.send_verification_email", [42, "ann@example.com"], kwargs, queue=queue, connection=producer_redis
    )

    result = reader.AsyncResult(task_id)
    assert result.get(timeout=60) == {
        "user_id": 42,
        "email": "ann@example.com",
        "verification_link": "https://shop/v/abc",
    }
    assert result.name == "auth.send_verification_email"
    producer_redis.delete(f"adolf:sent-task:{task_id}")


def test_a_stock_worker_runs_a_delayed_prioritised_message_with_a_chosen_id(stock_worker, producer_redis):
    queue, reader = stock_worker
    chosen = f"verify-{uuid.uuid4().hex}"

    task_id = send_celery_task("auth.send_verification_email", [1, "b@example.com", "https://shop/v/x"],
                               queue=queue, task_id=chosen, countdown=1, expires=120, priority=9,
                               connection=producer_redis)  # fmt: skip

    assert task_id == chosen
    assert reader.AsyncResult(chosen).get(timeout=60)["email"] == "b@example.com"
    producer_redis.delete(f"adolf:sent-task:{chosen}")


@pytest.mark.django_db(transaction=True)
def test_adolfs_worker_runs_the_clients_message_and_calls_the_service_back(
    adolf_worker_on_redis, microservice, producer_redis
):
    queue, _worker = adolf_worker_on_redis
    make_service("order", microservice.url)
    microservice.default.body = {"confirmation": "sent"}

    task_id = send_celery_task("order.send_order_confirmation", args=[1001, "cy@example.com"],
                               queue=queue, connection=producer_redis)  # fmt: skip

    stored = wait_for_result(task_id)
    assert (stored.status, json.loads(stored.result)) == ("SUCCESS", {"confirmation": "sent"})
    [request] = microservice.received
    assert request.headers["Idempotency-Key"] == task_id
    assert request.json()["arguments"] == {"order_id": 1001, "email": "cy@example.com"}
    producer_redis.delete(f"adolf:sent-task:{task_id}")
