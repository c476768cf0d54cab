"""The same caller-chosen task id submitted twice is queued once; reused for other work it is refused."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_celery_results.models import TaskResult

from integrations.models import TaskSubmission
from tests.integrations.conftest import make_service, submit, wait_for_result

pytestmark = pytest.mark.django_db(transaction=True)

CONFIRM = {"task": "order.send_order_confirmation", "args": [77, "dee@example.com"], "task_id": "confirm-order-77"}


@pytest.mark.e2e
def test_the_same_task_id_submitted_twice_is_queued_and_run_once(celery_worker, microservice, client):
    token = make_service("order", microservice.url).issue_api_token()

    first = submit(client, token, CONFIRM)
    second = submit(client, token, CONFIRM)

    assert (first.status_code, first.json()["duplicate"]) == (202, False)
    assert (second.status_code, second.json()["duplicate"]) == (200, True)
    assert first.json()["task_id"] == second.json()["task_id"] == "confirm-order-77"
    # A sentinel behind them on the same queue: once it has run, a second copy would have too.
    sentinel = submit(client, token, {"task": "order.send_order_confirmation", "args": [78, "e@x.com"]}).json()
    wait_for_result(sentinel["task_id"])
    assert [request.json()["task_id"] for request in microservice.received] == ["confirm-order-77", sentinel["task_id"]]
    assert TaskResult.objects.count() == 2


def test_a_task_id_reused_for_different_arguments_is_a_conflict(client):
    service = make_service("order")
    token = service.issue_api_token()
    TaskSubmission.objects.create(task_id="confirm-order-77", service=service, task_name=CONFIRM["task"],
                                  args=CONFIRM["args"], published_at=timezone.now())  # fmt: skip

    response = submit(client, token, {**CONFIRM, "args": [77, "someone-else@example.com"]})

    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "task_id_conflict",
        "message": "The task id 'confirm-order-77' was already used for a different task or arguments.",
    }


def test_another_services_task_id_is_a_conflict_too(client):
    auth = make_service("auth")
    TaskSubmission.objects.create(task_id="shared-id", service=auth, task_name="auth.cleanup_expired_tokens",
                                  args=[7], published_at=timezone.now())  # fmt: skip
    token = make_service("order").issue_api_token()

    response = submit(client, token, {**CONFIRM, "task_id": "shared-id"})

    assert response.status_code == 409


@pytest.mark.e2e
def test_a_submission_recorded_but_never_queued_is_queued_by_the_retry(celery_worker, microservice, client):
    service = make_service("order", microservice.url)
    token = service.issue_api_token()
    # What a web process that died between recording and publishing leaves behind.
    TaskSubmission.objects.create(task_id=CONFIRM["task_id"], service=service, task_name=CONFIRM["task"],
                                  args=CONFIRM["args"])  # fmt: skip

    response = submit(client, token, CONFIRM)

    assert (response.status_code, response.json()["duplicate"]) == (202, False)
    assert wait_for_result(CONFIRM["task_id"]).status == "SUCCESS"
    assert TaskSubmission.objects.get().published_at is not None
