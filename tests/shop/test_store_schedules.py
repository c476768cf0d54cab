"""Each store owns a beat PeriodicTask that follows it as it is saved."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import override_settings
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

from shop.models import Store
from tests.shop.factories import StoreFactory

pytestmark = pytest.mark.django_db


def test_a_new_store_gets_a_poll_task_at_the_default_interval():
    store = StoreFactory()
    task = PeriodicTask.objects.get(pk=store.periodic_task_id)
    assert task.task == "shop.poll_orders"
    assert json.loads(task.kwargs) == {"store_id": store.pk}
    assert (task.interval.every, task.interval.period) == (60, IntervalSchedule.SECONDS)
    assert task.enabled is True
    assert task.queue == "default"


def test_editing_the_interval_updates_the_task_and_tells_beat():
    store = StoreFactory()
    changed_before = PeriodicTasks.last_change()
    store.poll_interval = 300
    store.save()
    task = PeriodicTask.objects.get(pk=store.periodic_task_id)
    assert task.interval.every == 300
    assert PeriodicTasks.last_change() > changed_before


def test_disabling_a_store_disables_its_task():
    store = StoreFactory()
    store.enabled = False
    store.save()
    assert PeriodicTask.objects.get(pk=store.periodic_task_id).enabled is False


@override_settings(SHOP_POLLING_ENABLED=False)
def test_the_global_switch_stops_polls_when_they_run_not_in_the_schedule():
    from shop.tasks import poll_orders

    store = StoreFactory()
    # Baked into the schedule, the switch would outlive itself for stores saved meanwhile.
    assert PeriodicTask.objects.get(pk=store.periodic_task_id).enabled is True
    assert poll_orders.apply(kwargs={"store_id": store.pk}).get() == {"skipped": "SHOP_POLLING_ENABLED is off"}


def test_deleting_a_store_deletes_its_task():
    store = StoreFactory()
    task_id = store.periodic_task_id
    store.delete()
    assert not PeriodicTask.objects.filter(pk=task_id).exists()


def test_a_bulk_delete_deletes_the_tasks_too_and_the_slug_can_be_used_again():
    first, second = StoreFactory(slug="main"), StoreFactory()
    Store.objects.filter(pk__in=[first.pk, second.pk]).delete()  # as the admin's delete action does
    assert not PeriodicTask.objects.filter(task="shop.poll_orders").exists()

    again = StoreFactory(slug="main")
    assert PeriodicTask.objects.get(pk=again.periodic_task_id).name == "shop: poll main"


def test_a_task_for_a_deleted_store_is_skipped_not_failed():
    from shop.tasks import poll_orders

    assert poll_orders.apply(kwargs={"store_id": 987654}).get() == {"skipped": "store 987654 no longer exists"}


def test_saving_an_unchanged_store_does_not_wake_beat():
    store = StoreFactory()
    changed_before = PeriodicTasks.last_change()
    Store.objects.get(pk=store.pk).save()
    assert PeriodicTasks.last_change() == changed_before


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
