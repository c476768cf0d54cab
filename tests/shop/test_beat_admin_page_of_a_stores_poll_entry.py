"""Beat's admin page of an entry that polls a store says where that store's schedule is edited."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.shop.factories import StoreFactory
from tests.shop.test_schedule_drift_repair import legacy_entry

pytestmark = pytest.mark.django_db


def test_beats_page_of_a_stores_poll_entry_says_so_and_links_to_the_store(client):
    store = StoreFactory(slug="main", name="Main shop")
    entry = legacy_entry("poll main every minute too", store.pk, every=60)
    client.force_login(get_user_model().objects.create_superuser("operator", password="a-long-password-1"))

    page = client.get(f"/admin/django_celery_beat/periodictask/{entry.pk}/change/").content.decode()

    assert "в обход его собственного расписания" in page  # LANGUAGE_CODE=ru
    assert f'<a href="/admin/shop/store/{store.pk}/change/">Main shop</a>' in page
