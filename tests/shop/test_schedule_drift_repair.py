"""Schedules that drifted from their stores are repaired by themselves, reported, and nothing else is written."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

from adolf.audit import REPAIR_USERNAME
from shop import drift
from shop.models import Store
from tests.shop.factories import StoreFactory

pytestmark = pytest.mark.django_db


def legacy_entry(name: str, store_id: int | None, *, enabled: bool = True, every: int = 3600) -> PeriodicTask:
    """A poll entry of the kind the per-store schedules of older versions left behind."""
    interval, _ = IntervalSchedule.objects.get_or_create(every=every, period=IntervalSchedule.SECONDS)
    kwargs = {} if store_id is None else {"store_id": store_id}
    return PeriodicTask.objects.create(
        name=name, task="shop.poll_orders", interval=interval, kwargs=json.dumps(kwargs), enabled=enabled
    )


def repair(**kwargs) -> tuple[list[drift.Drift], list]:
    sent = []
    return drift.repair(sent.append, **kwargs), sent


def status() -> dict:
    out = StringIO()
    call_command("shop_status", "--json", stdout=out)
    return json.loads(out.getvalue())["schedules"]


def test_an_entry_left_by_a_store_deleted_behind_the_orms_back_is_deleted_and_recorded():
    store = StoreFactory(slug="main")
    leftover = legacy_entry("shop: poll main", store.pk, enabled=False)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM shop_store WHERE id = %s", [store.pk])

    (found,), _ = repair()

    assert (found.kind, found.subject) == ("stray entry", "shop: poll main")
    assert found.detail == f"deleted: it was left by store id {store.pk}, which no longer exists"
    assert not PeriodicTask.objects.filter(pk=leftover.pk).exists()
    entry = LogEntry.objects.get(user__username=REPAIR_USERNAME)
    assert (entry.action_flag, entry.object_repr) == (DELETION, str(leftover))
    assert entry.change_message == f"Deleted: it was left by store id {store.pk}, which no longer exists."
    [reported] = status()["repairs"]
    assert reported["message"] == entry.change_message


def test_an_entry_polling_a_store_beside_its_schedule_is_deleted():
    store = StoreFactory(slug="main")
    legacy_entry("poll main every minute too", store.pk, every=60)
    legacy_entry("poll everything hourly", None)

    found, _ = repair()

    assert sorted(item.detail for item in found) == [
        "deleted: it polled every store; each store's polls come from its own schedule",
        "deleted: it polled store main a second time; that store's schedule is edited on its page",
    ]
    assert not PeriodicTask.objects.filter(task="shop.poll_orders").exists()


def test_a_store_without_a_due_time_or_due_beyond_its_interval_is_due_now():
    now = timezone.now()
    lost, pushed, fine = StoreFactory(slug="lost"), StoreFactory(slug="pushed"), StoreFactory(slug="fine")
    Store.objects.filter(pk=lost.pk).update(next_poll_at=None)
    Store.objects.filter(pk=pushed.pk).update(next_poll_at=now + timedelta(days=2))
    Store.objects.filter(pk=fine.pk).update(next_poll_at=now + timedelta(seconds=60))

    found, _ = repair(now=now)

    assert sorted((item.kind, item.subject) for item in found) == [
        ("due too far ahead", "pushed"),
        ("no due time", "lost"),
    ]
    assert Store.objects.get(pk=lost.pk).next_poll_at == now
    assert Store.objects.get(pk=pushed.pk).next_poll_at == now
    assert Store.objects.get(pk=fine.pk).next_poll_at == now + timedelta(seconds=60)


def test_a_store_due_long_ago_and_never_enqueued_is_dispatched():
    now = timezone.now()
    store = StoreFactory(slug="forgotten")
    Store.objects.filter(pk=store.pk).update(next_poll_at=now - timedelta(minutes=10))
    assert status()["overdue_stores"] == ["forgotten"]

    (found,), sent = repair(now=now)

    assert found.kind == "overdue"
    assert found.detail == "1 store(s) due up to 600 s ago were never enqueued (forgotten); dispatched now"
    assert [poll.store_id for poll in sent] == [store.pk]
    assert Store.objects.get(pk=store.pk).next_poll_at == now + timedelta(seconds=60)


def test_schedules_that_match_their_stores_are_left_alone():
    for _ in range(3):
        StoreFactory()
    changed_before = PeriodicTasks.last_change()
    updated_before = list(Store.objects.order_by("pk").values_list("next_poll_at", flat=True))

    found, sent = repair()

    assert (found, sent) == ([], [])
    assert PeriodicTasks.last_change() == changed_before
    assert list(Store.objects.order_by("pk").values_list("next_poll_at", flat=True)) == updated_before
    assert not LogEntry.objects.exists()
    assert status()["repairs"] == []
