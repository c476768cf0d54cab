"""A service whose callback token no FIELD_ENCRYPTION_KEY decrypts gets no callback: the task fails naming the fix."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from integrations.callbacks import ServiceUnavailable
from integrations.tasks.product_tasks import process_images
from tests.integrations.conftest import make_service

pytestmark = pytest.mark.django_db

LOST_KEY = Fernet.generate_key().decode()


def test_a_task_of_a_service_whose_token_cannot_be_decrypted_fails_clearly_and_sends_nothing(settings, microservice):
    current = list(settings.FIELD_ENCRYPTION_KEYS)
    settings.FIELD_ENCRYPTION_KEYS = [LOST_KEY]
    make_service("product", microservice.url)
    settings.FIELD_ENCRYPTION_KEYS = current  # replaced without the old key

    result = process_images.apply(args=[1, ["https://cdn/a.jpg"]])

    assert isinstance(result.result, ServiceUnavailable)
    assert "callback token of the service 'product' cannot be decrypted" in str(result.result)
    assert "list the old key after the new one" in str(result.result)
    assert microservice.received == []  # not sent without its token


def test_the_old_key_listed_again_makes_its_callbacks_carry_the_token(settings, microservice):
    current = list(settings.FIELD_ENCRYPTION_KEYS)
    settings.FIELD_ENCRYPTION_KEYS = [LOST_KEY]
    make_service("product", microservice.url, token="the-old-token")
    settings.FIELD_ENCRYPTION_KEYS = [*current, LOST_KEY]

    result = process_images.apply(args=[1, ["https://cdn/a.jpg"]])

    assert result.successful(), result.result
    (request,) = microservice.received
    assert request.headers["Authorization"] == "Bearer the-old-token"
