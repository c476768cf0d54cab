"""POST /api/tasks/ queues a service's task and answers its id; GET /api/tasks/<id> reports on it."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from integrations.models import TaskSubmission
from tests.integrations.conftest import make_service, submit, task_status, wait_for_result
from tests.support.loopback import Reply

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.e2e
def test_a_submitted_task_runs_and_its_result_is_reported(celery_worker, microservice, client):
    service = make_service("auth", microservice.url)
    token = service.issue_api_token()
    microservice.then(Reply(200, {"deleted": 12}))

    response = submit(client, token, {"task": "auth.cleanup_expired_tokens", "args": [7]})

    assert response.status_code == 202
    body = response.json()
    assert body["task"] == "auth.cleanup_expired_tokens"
    assert body["state"] == "PENDING"
    assert body["duplicate"] is False
    assert body["status_url"] == f"http://testserver/api/tasks/{body['task_id']}"
    wait_for_result(body["task_id"])
    report = task_status(client, token, body["task_id"]).json()
    assert report["state"] == "SUCCESS"
    assert report["result"] == {"deleted": 12}
    assert report["error"] is None
    moments = [datetime.fromisoformat(report[name]) for name in ("submitted_at", "queued_at", "done_at")]
    assert moments == sorted(moments)
    assert microservice.received[0].headers["Idempotency-Key"] == body["task_id"]


@pytest.mark.e2e
def test_a_failed_task_is_reported_with_its_error(celery_worker, microservice, client):
    service = make_service("cart", microservice.url)
    token = service.issue_api_token()
    microservice.then(Reply(404, {"detail": "no such cart"}))

    task_id = submit(
        client, token, {"task": "cart.merge_carts", "kwargs": {"anonymous_cart_id": "a", "user_cart_id": 1}}
    ).json()["task_id"]

    wait_for_result(task_id)
    report = task_status(client, token, task_id).json()
    assert report["state"] == "FAILURE"
    assert report["error"].startswith("CallbackRejected: ")
    assert "no such cart" in report["error"]


def test_a_queued_task_no_worker_has_taken_yet_is_pending(client):
    service = make_service("order")
    token = service.issue_api_token()
    TaskSubmission.objects.create(task_id="o-1", service=service, task_name="order.send_order_confirmation",
                                  args=[1, "a@b.c"], published_at=timezone.now())  # fmt: skip

    report = task_status(client, token, "o-1").json()

    assert (report["task_id"], report["task"], report["state"], report["result"]) == (
        "o-1", "order.send_order_confirmation", "PENDING", None,
    )  # fmt: skip


def test_an_unknown_task_id_is_404(client):
    token = make_service("order").issue_api_token()

    response = task_status(client, token, "nope")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
