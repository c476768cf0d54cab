"""A submission naming an unknown task or arguments that don't fit gets a clear 400; nothing is queued."""

from __future__ import annotations

import pytest
from django_celery_results.models import TaskResult

from integrations.models import TaskSubmission
from tests.integrations.conftest import make_service, submit, wait_for_result

pytestmark = pytest.mark.django_db(transaction=True)

BAD = [
    ({"task": "auth.reset_everything", "args": []}, "unknown_task",
     "No task named 'auth.reset_everything' is registered in the central task service. "
     "Tasks of auth: auth.cleanup_expired_tokens, auth.send_verification_email."),
    ({"task": "auth.send_verification_email", "args": [1, "a@b.c"]}, "invalid_arguments",
     "auth.send_verification_email(user_id: int | str, email: str, verification_link: str): "
     "missing a required argument: 'verification_link'"),
    ({"task": "auth.cleanup_expired_tokens", "args": [7, 8]}, "invalid_arguments",
     "auth.cleanup_expired_tokens(days: int): too many positional arguments"),
    ({"task": "auth.cleanup_expired_tokens", "kwargs": {"weeks": 1}}, "invalid_arguments",
     "auth.cleanup_expired_tokens(days: int): missing a required argument: 'days'"),
    ({"task": "auth.cleanup_expired_tokens", "args": ["seven"]}, "invalid_arguments",
     "auth.cleanup_expired_tokens(days: int): argument 'days' must be int, not str ('seven')"),
    ({"task": "auth.cleanup_expired_tokens", "args": 7}, "invalid_arguments", "'args' must be a JSON array."),
    ({"task": "auth.cleanup_expired_tokens", "args": [7], "countdown": 86400}, "invalid_countdown",
     "'countdown' must be a number of seconds from 0 to 1190."),
    ({"task": "auth.cleanup_expired_tokens", "args": [7], "priority": "high"}, "invalid_priority",
     "'priority' must be a whole number from 0 to 9."),
    ({"task": "auth.cleanup_expired_tokens", "args": [7], "task_id": "has space"}, "invalid_task_id",
     "'task_id' must be 1-200 characters of letters, digits and _.:-"),
    ({"task": "auth.cleanup_expired_tokens", "argz": [7]}, "unknown_field",
     "Unknown field(s) ['argz']; allowed: ['args', 'countdown', 'expires', 'kwargs', 'priority', 'task', 'task_id']."),
    ({"task": "Auth Cleanup"}, "invalid_task_name",
     "'task' must be a task name such as 'auth.cleanup_expired_tokens'."),
    ([1, 2], "invalid_body", 'The body must be a JSON object: {"task": …, "args": […]}.'),
]  # fmt: skip


@pytest.mark.parametrize(("payload", "code", "message"), BAD, ids=[case[1] + str(i) for i, case in enumerate(BAD)])
def test_it_answers_400_with_a_clear_error_and_records_nothing(client, payload, code, message):
    token = make_service("auth").issue_api_token()

    response = submit(client, token, payload)

    assert response.status_code == 400
    assert response.json() == {"error": {"code": code, "message": message}}
    assert not TaskSubmission.objects.exists()


def test_a_body_that_is_not_json_is_refused(client):
    token = make_service("auth").issue_api_token()

    response = submit(client, token, "{not json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"


@pytest.mark.e2e
def test_rejected_submissions_put_nothing_on_the_queue(celery_worker, microservice, client):
    token = make_service("auth", microservice.url).issue_api_token()
    for payload, _code, _message in BAD:
        assert submit(client, token, payload).status_code == 400

    # One worker process takes the auth queue in order: anything queued before this
    # sentinel would have run (and left a result or an "unregistered task" line) first.
    sentinel = submit(client, token, {"task": "auth.cleanup_expired_tokens", "args": [7]}).json()["task_id"]

    assert wait_for_result(sentinel).status == "SUCCESS"
    assert list(TaskResult.objects.values_list("task_id", flat=True)) == [sentinel]
    assert "auth.reset_everything" not in celery_worker.log()
    assert [request.json()["task_id"] for request in microservice.received] == [sentinel]
