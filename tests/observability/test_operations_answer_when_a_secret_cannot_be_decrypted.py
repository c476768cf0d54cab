"""/health/, `shop_status` and the dashboard answer when a store's secrets cannot be decrypted.

That happens when FIELD_ENCRYPTION_KEY is replaced without keeping the old key: exactly
when an operator opens them. They never show the secrets, so they do not read them; and a
health probe that fails for any reason is an unhealthy component, never a 500 page.
"""

from __future__ import annotations

import json
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from operations.registry import HealthProbe, registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def undecryptable(store):
    """The store's consumer secret as written under another FIELD_ENCRYPTION_KEY."""
    token = Fernet(Fernet.generate_key()).encrypt(b"cs_written_under_an_old_key").decode()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE shop_store SET consumer_secret = %s WHERE id = %s", [token, store.pk])
    return store


def test_health_reports_the_store_whose_secret_cannot_be_decrypted(undecryptable, admin_client):
    response = admin_client.get("/health/")
    assert response["Content-Type"] == "application/json"
    [row] = response.json()["components"]["stores"]["stores"]
    assert row["store"] == undecryptable.slug


def test_shop_status_lists_the_store_whose_secret_cannot_be_decrypted(undecryptable):
    out = StringIO()
    call_command("shop_status", "--json", "--timeout", "0.5", stdout=out)
    [row] = json.loads(out.getvalue())["stores"]
    assert row["store"] == undecryptable.slug


def test_the_dashboard_shows_the_store_whose_secret_cannot_be_decrypted(undecryptable, admin_client):
    response = admin_client.get("/dashboard/")
    assert response.status_code == 200
    assert undecryptable.name in response.content.decode()


def test_a_probe_that_raises_is_an_unhealthy_component_with_a_generic_public_reason(client, admin_client, monkeypatch):
    def broken():
        raise RuntimeError("redis://:hunter2-secret@cache.internal:6379 refused")

    monkeypatch.setitem(registry.health_probes, "broken", HealthProbe("broken", broken))

    anonymous = client.get("/health/")
    assert (anonymous.status_code, anonymous["Content-Type"]) == (503, "application/json")
    assert anonymous.json()["components"]["broken"] == {"status": "unhealthy", "reason": "Check failed"}
    staff = admin_client.get("/health/").json()["components"]["broken"]
    assert staff["reason"].startswith("The check failed: RuntimeError: ")
    assert "hunter2-secret" not in json.dumps(staff)  # redacted like every reason
