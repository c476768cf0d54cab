"""The status dashboard: staff only; each store's health, last poll and error streak; events per hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from shop.operations import events_per_hour, store_health
from tests.observability.dashboard_data import healthy_and_failing_stores

pytestmark = pytest.mark.django_db


def test_only_staff_may_see_it(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("customer", password="pw-customer-1"))

    response = client.get("/dashboard/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=/dashboard/")


def test_each_store_shows_its_state_last_outcome_and_failed_polls_in_a_row(admin_client):
    healthy_and_failing_stores()

    rows = {row.store.slug: row for row in store_health()}
    page = admin_client.get("/dashboard/").content.decode()

    assert {slug: (row.state, row.last_outcome, row.error_streak, row.events_24h) for slug, row in rows.items()} == {
        "main": ("ok", "ok", 0, 6),
        "broken": ("failing", "failed", 3, 0),
        "sleeping": ("disabled", "", 0, 0),
    }
    assert 'data-store="broken"' in page
    assert "wrong consumer key" in page


def hour_of(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def test_events_are_counted_per_hour_for_24_hours_and_7_days():
    now = timezone.now()
    healthy_and_failing_stores(now)

    day = events_per_hour(24, now)
    week = events_per_hour(24 * 7, now)

    assert len(day) == 24
    assert len(week) == 168
    assert sum(count for _, count in day) == 6
    assert sum(count for _, count in week) == 11
    assert day[-1][0] == hour_of(now)
    assert dict(day)[hour_of(now - timedelta(minutes=5))] == 4
    assert dict(day)[hour_of(now - timedelta(hours=3))] == 2
    assert dict(week)[hour_of(now - timedelta(days=3))] == 5


def test_the_admin_index_links_to_the_dashboard(admin_client):
    page = admin_client.get("/admin/").content.decode()

    assert 'href="/dashboard/"' in page


def test_it_speaks_russian_to_russian_staff(admin_client):
    healthy_and_failing_stores()

    page = admin_client.get("/dashboard/", headers={"Accept-Language": "ru"}).content.decode()
    index = admin_client.get("/admin/", headers={"Accept-Language": "ru"}).content.decode()

    assert "неудачных опросов подряд" in page
    assert "События заказов по часам за последние 7 дней" in page
    assert ">сбои</td>" in page
    assert "Панель состояния" in index
