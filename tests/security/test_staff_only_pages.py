"""The admin and the inbox are for staff: anonymous visitors and non-staff users are turned away."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["/admin/", "/admin/shop/store/", "/notifications/", "/notifications/unread.json", "/dashboard/"]


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_a_user_who_is_not_staff_is_sent_to_the_login_page(client, path):
    client.force_login(get_user_model().objects.create_user("customer", password="a-long-password-1"))

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_get_in(client, path):
    client.force_login(get_user_model().objects.create_superuser("operator", password="a-long-password-1"))

    assert client.get(path).status_code == 200
