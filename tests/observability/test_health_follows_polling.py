"""/health/ is unhealthy when an enabled store has not completed a poll for too long, and healthy after one.

Asked as staff, who see which store and why.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shop.models import Store
from shop.tasks import poll_orders

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def stale(store: Store, minutes: int) -> None:
    Store.objects.filter(pk=store.pk).update(last_success_at=timezone.now() - timedelta(minutes=minutes))


def test_health_turns_unhealthy_when_polls_stop_and_healthy_after_a_poll(store, admin_client, celery_worker):
    poll_orders.apply(kwargs={"store_id": store.pk})
    fresh = admin_client.get("/health/")
    stale(store, minutes=6)

    stopped = admin_client.get("/health/")
    poll_orders.apply(kwargs={"store_id": store.pk})
    again = admin_client.get("/health/")

    assert [fresh.status_code, stopped.status_code, again.status_code] == [200, 503, 200]
    assert stopped.json()["status"] == "unhealthy"
    assert stopped.json()["reason"] == "Polling not running: sim (no successful poll for 6 min)"
    [entry] = stopped.json()["components"]["stores"]["stores"]
    assert entry["store"] == "sim"
    assert entry["overdue"] is True
    assert again.json()["components"]["stores"]["stores"][0]["overdue"] is False


def test_the_threshold_is_a_setting_and_a_slow_schedule_gets_two_of_its_intervals(
    store, admin_client, settings, celery_worker
):
    settings.HEALTH_POLL_STALE_MINUTES = 10
    stale(store, minutes=8)
    within_setting = admin_client.get("/health/").status_code
    Store.objects.filter(pk=store.pk).update(poll_interval=900)  # every 15 minutes: 30 minutes of grace
    stale(store, minutes=25)
    within_intervals = admin_client.get("/health/").status_code
    stale(store, minutes=31)
    beyond = admin_client.get("/health/").status_code

    assert [within_setting, within_intervals, beyond] == [200, 200, 503]


def test_disabled_stores_and_stores_never_due_yet_are_not_overdue(store, admin_client, celery_worker):
    Store.objects.filter(pk=store.pk).update(enabled=False, last_success_at=timezone.now() - timedelta(days=3))
    Store.objects.create(
        name="New", slug="new", base_url="https://shop.example.com", consumer_key="ck", consumer_secret="cs"
    )

    response = admin_client.get("/health/")

    assert response.status_code == 200
    assert [entry["store"] for entry in response.json()["components"]["stores"]["stores"]] == ["new"]


def test_a_store_never_polled_since_it_was_added_long_ago_is_overdue(admin_client, celery_worker):
    added = Store.objects.create(
        name="Old", slug="old", base_url="https://shop.example.com", consumer_key="ck", consumer_secret="cs"
    )
    Store.objects.filter(pk=added.pk).update(created=timezone.now() - timedelta(hours=1))

    response = admin_client.get("/health/")

    assert response.status_code == 503
    assert response.json()["reason"] == "Polling not running: old (no successful poll for 60 min)"
