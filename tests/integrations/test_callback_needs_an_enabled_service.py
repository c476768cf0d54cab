"""A task of a service that is not registered or is disabled fails clearly, without a request."""

from __future__ import annotations

import pytest

from adolf.celery import app as celery_app
from tests.integrations.conftest import make_service, wait_for_result

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_it_fails_clearly_when_the_service_is_not_registered(celery_worker):
    sent = celery_app.send_task("product.process_images", args=[1, ["https://cdn/a.jpg"]])

    stored = wait_for_result(sent.id)
    assert stored.status == "FAILURE"
    assert "ServiceUnavailable" in stored.result
    assert "No service named 'product' is registered" in stored.result


def test_it_fails_clearly_and_calls_nothing_when_the_service_is_disabled(celery_worker, microservice):
    make_service("product", microservice.url, enabled=False)

    sent = celery_app.send_task("product.process_images", args=[1, ["https://cdn/a.jpg"]])

    stored = wait_for_result(sent.id)
    assert stored.status == "FAILURE"
    assert "The service 'product' is disabled" in stored.result
    assert microservice.received == []
