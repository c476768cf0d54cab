"""/health/ tells anyone the status and a generic reason per component; details only to staff and token holders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shop.models import Store

pytestmark = pytest.mark.django_db
TOKEN = "monitoring-token-7f3e"


@pytest.fixture
def overdue(store, settings):
    settings.HEALTH_TOKEN = TOKEN
    settings.HEALTH_TIMEOUT_SECONDS = 1
    Store.objects.filter(pk=store.pk).update(last_success_at=timezone.now() - timedelta(hours=1))
    return store


def test_an_anonymous_caller_gets_the_status_and_generic_reasons_only(client, overdue):
    report = client.get("/health/").json()

    assert report["status"] == "unhealthy"
    assert report["components"]["stores"] == {"status": "unhealthy", "reason": "Polling not running"}
    assert report["components"]["database"] == {"status": "healthy"}
    assert "sim" not in report["reason"]
    assert {key for part in report["components"].values() for key in part} <= {"status", "reason"}


@pytest.mark.parametrize("who", ["staff", "token"])
def test_staff_and_token_holders_get_the_details(client, admin_client, overdue, who):
    if who == "staff":
        report = admin_client.get("/health/").json()
    else:
        report = client.get("/health/", headers={"Authorization": f"Bearer {TOKEN}"}).json()

    stores = report["components"]["stores"]
    assert stores["reason"] == "Polling not running: sim (no successful poll for 60 min)"
    assert [entry["store"] for entry in stores["stores"]] == ["sim"]


def test_a_wrong_token_gets_what_anyone_gets(client, overdue):
    report = client.get("/health/", headers={"Authorization": "Bearer not-the-token"}).json()

    assert report["components"]["stores"] == {"status": "unhealthy", "reason": "Polling not running"}
