"""`make run` creates a local admin account once and says how to log in."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings


@pytest.mark.django_db
def test_it_creates_the_admin_once_and_prints_the_same_login_every_time(tmp_path):
    with override_settings(DEBUG=True, DATA_DIR=tmp_path):
        first, second = StringIO(), StringIO()
        call_command("ensure_local_admin", stdout=first)
        call_command("ensure_local_admin", stdout=second)

    user = get_user_model().objects.get(username="admin")
    password = (tmp_path / "local-admin-password.txt").read_text().strip()
    assert user.is_superuser
    assert user.check_password(password)
    assert first.getvalue() == second.getvalue() == f"Log in at http://127.0.0.1:8000/admin/ as admin / {password}\n"


@pytest.mark.django_db
def test_it_refuses_to_run_in_production():
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("ensure_local_admin")
    assert not get_user_model().objects.exists()


def test_the_admin_login_page_is_served(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert b'name="username"' in response.content
