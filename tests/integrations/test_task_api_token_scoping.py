"""Each service authenticates with its own token and may submit and read only its own tasks."""

from __future__ import annotations

import pytest
from django.utils import timezone

from integrations.models import TaskSubmission
from tests.integrations.conftest import make_service, submit, task_status

pytestmark = pytest.mark.django_db

CLEANUP = {"task": "auth.cleanup_expired_tokens", "args": [7]}


def test_it_refuses_a_request_without_a_token(client):
    response = submit(client, None, CLEANUP)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "unauthenticated"


def test_it_refuses_a_wrong_token(client):
    make_service("auth").issue_api_token()

    response = submit(client, "adolf_not-the-token", CLEANUP)

    assert (response.status_code, response.json()["error"]["code"]) == (401, "invalid_token")


def test_it_refuses_a_token_that_was_replaced(client):
    service = make_service("auth")
    old = service.issue_api_token()
    service.issue_api_token()

    assert submit(client, old, CLEANUP).status_code == 401


def test_a_service_may_not_submit_another_services_task(client):
    cart_token = make_service("cart").issue_api_token()

    response = submit(client, cart_token, CLEANUP)

    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "foreign_task",
        "message": "The service 'cart' may submit only cart.* tasks, not auth.cleanup_expired_tokens.",
    }
    assert not TaskSubmission.objects.exists()


def test_a_disabled_service_may_not_submit(client):
    token = make_service("auth", enabled=False).issue_api_token()

    response = submit(client, token, CLEANUP)

    assert (response.status_code, response.json()["error"]["code"]) == (403, "service_disabled")


def test_a_service_cannot_read_another_services_task(client):
    auth = make_service("auth")
    auth.issue_api_token()
    TaskSubmission.objects.create(task_id="a-1", service=auth, task_name="auth.cleanup_expired_tokens", args=[7],
                                  published_at=timezone.now())  # fmt: skip
    cart_token = make_service("cart").issue_api_token()

    assert task_status(client, cart_token, "a-1").status_code == 404


def test_only_the_hash_of_a_submission_token_is_stored():
    service = make_service("auth")
    token = service.issue_api_token()

    service.refresh_from_db()
    assert token.startswith("adolf_")
    assert token not in (service.api_token_hash, service.api_token_hint)
    assert len(service.api_token_hash) == 64
