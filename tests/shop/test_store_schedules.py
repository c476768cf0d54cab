"""A store carries its own schedule: every save derives its next due time from what the operator edited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_celery_beat.models import PeriodicTask, PeriodicTasks

from shop.models import Store
from tests.shop.factories import StoreFactory

pytestmark = pytest.mark.django_db


def due_in(store: Store) -> float:
    return (Store.objects.get(pk=store.pk).next_poll_at - timezone.now()).total_seconds()


def test_a_new_store_is_due_at_once_at_the_default_interval():
    before = timezone.now()
    store = StoreFactory()
    fresh = Store.objects.get(pk=store.pk)
    assert fresh.poll_interval == 60
    assert before <= fresh.next_poll_at <= timezone.now()


def test_a_shorter_interval_brings_the_next_poll_forward_to_one_new_interval():
    store = StoreFactory(poll_interval=3600)
    Store.objects.filter(pk=store.pk).update(next_poll_at=timezone.now() + timedelta(minutes=50))
    store.refresh_from_db()
    store.poll_interval = 10
    store.save()
    assert 0 < due_in(store) <= 10


def test_a_longer_interval_keeps_the_poll_already_due():
    store = StoreFactory(poll_interval=60)
    due = timezone.now() + timedelta(seconds=30)
    Store.objects.filter(pk=store.pk).update(next_poll_at=due)
    store.refresh_from_db()
    store.poll_interval = 3600
    store.save()
    assert Store.objects.get(pk=store.pk).next_poll_at == due


def test_switching_a_store_back_on_makes_it_due_at_once():
    store = StoreFactory()
    Store.objects.filter(pk=store.pk).update(next_poll_at=timezone.now() + timedelta(hours=1))
    store.refresh_from_db()
    store.enabled = False
    store.save()
    store.enabled = True
    store.save()
    assert due_in(store) <= 0


def test_editing_anything_else_neither_delays_nor_repeats_a_poll():
    store = StoreFactory()
    due = timezone.now() + timedelta(seconds=42)
    Store.objects.filter(pk=store.pk).update(next_poll_at=due)
    stale = Store.objects.get(pk=store.pk)
    Store.objects.filter(pk=store.pk).update(next_poll_at=due + timedelta(seconds=60))  # the dispatcher moved it on
    stale.name = "Renamed"
    stale.save()
    assert Store.objects.get(pk=store.pk).next_poll_at == due + timedelta(seconds=60)


def test_saving_stores_never_writes_beats_table():
    # Every write to beat's table makes beat re-read all of it: stores stay out of it.
    changed_before = PeriodicTasks.last_change()
    store = StoreFactory()
    store.poll_interval = 300
    store.enabled = False
    store.save()
    store.delete()
    assert PeriodicTasks.last_change() == changed_before
    assert not PeriodicTask.objects.filter(task="shop.poll_orders").exists()


@override_settings(SHOP_POLLING_ENABLED=False)
def test_the_global_switch_stops_polls_when_they_run_not_in_the_schedule():
    from shop.tasks import dispatch_polls, poll_orders

    store = StoreFactory()
    # Baked into the schedule, the switch would outlive itself for stores saved meanwhile.
    assert Store.objects.get(pk=store.pk).next_poll_at is not None
    assert dispatch_polls.apply().get() == 0
    assert poll_orders.apply(kwargs={"store_id": store.pk}).get() == {"skipped": "SHOP_POLLING_ENABLED is off"}


def test_a_task_for_a_deleted_store_is_skipped_not_failed():
    from shop.tasks import poll_orders

    assert poll_orders.apply(kwargs={"store_id": 987654}).get() == {"skipped": "store 987654 no longer exists"}


def test_credentials_are_encrypted_in_the_database():
    store = StoreFactory(consumer_secret="cs_plain_secret_value")
    with connection.cursor() as cursor:
        cursor.execute("SELECT consumer_secret FROM shop_store WHERE id = %s", [store.pk])
        stored = cursor.fetchone()[0]
    assert "cs_plain_secret_value" not in stored
    assert Store.objects.get(pk=store.pk).consumer_secret == "cs_plain_secret_value"


def test_saving_a_store_leaves_the_polling_state_alone():
    store = StoreFactory()
    stale = Store.objects.get(pk=store.pk)
    Store.objects.filter(pk=store.pk).update(poll_lease_token="held", outage_alerted=True)
    stale.name = "Renamed"
    stale.save()
    fresh = Store.objects.get(pk=store.pk)
    assert (fresh.name, fresh.poll_lease_token, fresh.outage_alerted) == ("Renamed", "held", True)
