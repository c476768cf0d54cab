"""Repeated failed logins lock the user out from that address, with a clear message."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-password-1"


@pytest.fixture
def operator(db):
    return get_user_model().objects.create_superuser("operator", password=PASSWORD)


def log_in(client, password: str):
    return client.post("/admin/login/?next=/admin/", {"username": "operator", "password": password})


@override_settings(AXES_FAILURE_LIMIT=3)
def test_it_locks_a_user_out_after_repeated_failures_even_with_the_right_password(client, operator):
    for _ in range(2):
        assert log_in(client, "wrong").status_code == 200  # the login form again, with its error

    locked = log_in(client, "wrong")
    assert locked.status_code == 429
    assert "Too many failed logins (3)" in locked.content.decode()

    assert log_in(client, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=3)
def test_a_successful_login_resets_the_count(client, operator):
    log_in(client, "wrong")
    log_in(client, "wrong")
    assert log_in(client, PASSWORD).status_code == 302
    client.logout()

    log_in(client, "wrong")
    assert log_in(client, PASSWORD).status_code == 302


@override_settings(AXES_FAILURE_LIMIT=2)
def test_the_lockout_holds_one_user_not_everyone(client, operator):
    get_user_model().objects.create_superuser("other", password=PASSWORD)
    log_in(client, "wrong")
    log_in(client, "wrong")

    response = client.post("/admin/login/?next=/admin/", {"username": "other", "password": PASSWORD})

    assert response.status_code == 302
