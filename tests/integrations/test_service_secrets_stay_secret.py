"""A service's callback token is encrypted at rest, never shown back, never logged; submission tokens are shown once."""

from __future__ import annotations

import logging
import re

import httpx
import pytest
from django.core.management import call_command
from django.db import connection

from integrations.callbacks import CallbackRejected, call_service
from integrations.models import Service, hash_api_token
from tests.integrations.conftest import make_service
from tests.support.loopback import LoopbackServer, Reply

pytestmark = pytest.mark.django_db

TOKEN = "cb-token-9f8e7d6c5b4a"
CHANGE = "/admin/integrations/service/{}/change/"
ADD = "/admin/integrations/service/add/"


def test_the_callback_token_is_stored_encrypted():
    service = make_service("auth", token=TOKEN)

    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM integrations_service WHERE id = %s", [service.pk])
        [stored] = cursor.fetchone()
    assert TOKEN not in stored
    assert Service.objects.get().token == TOKEN


def test_the_admin_never_shows_the_callback_token_and_an_empty_field_keeps_it(admin_client):
    service = make_service("auth", token=TOKEN)

    page = admin_client.get(CHANGE.format(service.pk)).content.decode()
    assert TOKEN not in page
    response = admin_client.post(CHANGE.format(service.pk), {
        "name": "auth", "base_url": "https://auth.internal", "enabled": "on", "timeout": "5", "max_retries": "3",
        "new_token": "",
    })  # fmt: skip

    assert response.status_code == 302
    service.refresh_from_db()
    assert (service.token, service.base_url, service.timeout) == (TOKEN, "https://auth.internal", 5.0)


def test_the_admin_replaces_or_clears_the_callback_token(admin_client):
    service = make_service("auth", token=TOKEN)
    form = {"name": "auth", "base_url": "https://auth.internal", "enabled": "on", "timeout": "5", "max_retries": "3"}

    admin_client.post(CHANGE.format(service.pk), {**form, "new_token": "replacement"})
    service.refresh_from_db()
    assert service.token == "replacement"
    admin_client.post(CHANGE.format(service.pk), {**form, "clear_token": "on"})
    service.refresh_from_db()
    assert service.token == ""


def test_issuing_a_submission_token_shows_it_once_and_keeps_only_its_hash(admin_client):
    service = make_service("auth")

    response = admin_client.post(
        "/admin/integrations/service/", {"action": "issue_api_tokens", "_selected_action": [service.pk]}
    )

    [token] = re.findall(r'<code class="issued-token">([^<]+)</code>', response.content.decode())
    service.refresh_from_db()
    assert service.api_token_hash == hash_api_token(token)
    assert token not in admin_client.get(CHANGE.format(service.pk)).content.decode()


def test_a_management_command_issues_a_submission_token(capsys):
    service = make_service("cart")

    call_command("issue_service_token", "cart")

    token = capsys.readouterr().out.strip()
    service.refresh_from_db()
    assert service.api_token_hash == hash_api_token(token)


def test_the_callback_token_is_not_logged_even_when_the_call_fails(caplog):
    service = make_service("auth", token=TOKEN)
    caplog.set_level(logging.DEBUG)
    with LoopbackServer(default=Reply(403, "forbidden")) as server:
        service.base_url = server.url
        with pytest.raises(CallbackRejected) as failure:
            call_service(service, "auth.cleanup_expired_tokens", "t-1", {"days": 7})

    assert "answered HTTP 403: forbidden" in str(failure.value)
    assert TOKEN not in caplog.text
    assert TOKEN not in str(failure.value)


def test_a_callback_answer_that_is_not_json_gives_no_result():
    service = make_service("auth", base_url="http://auth.test")
    transport = httpx.MockTransport(lambda request: httpx.Response(200, text="done"))

    assert call_service(service, "auth.cleanup_expired_tokens", "t-1", {"days": 7}, transport=transport) is None


def test_a_base_url_with_credentials_is_refused_the_token_is_the_credential(admin_client, settings):
    settings.LANGUAGE_CODE = "en"
    form = {"name": "auth", "base_url": "https://auth:hunter2@auth.internal", "enabled": "on", "timeout": "5"}

    response = admin_client.post(ADD, {**form, "max_retries": "3"})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["base_url"] == [
        "Leave the user name and password out of the URL; put the secret in its own field, stored encrypted."
    ]
    assert not Service.objects.exists()
