"""Beat keeps the entries ADOLF runs on (the poll dispatcher, the schedule repair, the sweepers) as its settings say."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

from adolf.audit import REPAIR_USERNAME
from adolf.beat import Repair, keep_pinned

pytestmark = pytest.mark.django_db
DISPATCHER = "shop: dispatch due polls"


@pytest.fixture
def pinned():
    keep_pinned()
    LogEntry.objects.all().delete()
    return PeriodicTask.objects.get(name=DISPATCHER)


def test_a_missing_entry_is_created_as_configured_and_recorded():
    PeriodicTask.objects.filter(name__in=settings.BEAT_PINNED_SCHEDULE).delete()

    repairs = keep_pinned()

    assert repairs == [Repair(name, "missing") for name in settings.BEAT_PINNED_SCHEDULE]
    entry = PeriodicTask.objects.get(name=DISPATCHER)
    assert (entry.task, entry.interval.every, entry.interval.period) == ("shop.dispatch_polls", 5, "seconds")
    assert (entry.enabled, entry.queue, entry.kwargs) == (True, "default", "{}")
    log = LogEntry.objects.get(object_id=str(entry.pk))
    assert (log.action_flag, log.user.username) == (ADDITION, REPAIR_USERNAME)
    assert not log.user.is_active
    assert not log.user.has_usable_password()


def test_a_disabled_entry_is_enabled_again(pinned):
    pinned.enabled = False
    pinned.save()

    assert keep_pinned() == [Repair(DISPATCHER, "disabled")]
    assert PeriodicTask.objects.get(pk=pinned.pk).enabled is True
    log = LogEntry.objects.get()
    assert (log.action_flag, log.change_message) == (
        CHANGE,
        "Restored (disabled): this entry is kept as ADOLF's settings say.",
    )


def test_an_entry_edited_behind_its_back_gets_only_the_differing_fields_back(pinned):
    hourly, _ = IntervalSchedule.objects.get_or_create(every=3600, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.filter(pk=pinned.pk).update(interval=hourly, kwargs='{"store_id": 3}', total_run_count=7)

    assert keep_pinned() == [Repair(DISPATCHER, "changed: interval, kwargs")]
    entry = PeriodicTask.objects.get(pk=pinned.pk)
    assert (entry.interval.every, entry.kwargs, entry.total_run_count) == (5, "{}", 7)


def test_entries_as_configured_are_not_written(pinned):
    # Respaced JSON is the same value: the admin's form writes it so.
    PeriodicTask.objects.filter(pk=pinned.pk).update(kwargs="{ }")
    changed_before = PeriodicTasks.last_change()

    assert keep_pinned() == []
    assert PeriodicTasks.last_change() == changed_before
    assert not LogEntry.objects.exists()


def test_the_admin_refuses_to_edit_a_pinned_entry_and_says_where_schedules_are_edited(client, pinned):
    admin = get_user_model().objects.create_superuser("operator", password="a-long-password-1")
    client.force_login(admin)
    page = client.get(f"/admin/django_celery_beat/periodictask/{pinned.pk}/change/").content.decode()
    assert "изменение здесь будет отменено в течение минуты" in page  # LANGUAGE_CODE=ru
    assert 'href="/admin/shop/store/"' in page

    form = {
        "name": pinned.name, "regtask": "shop.dispatch_polls", "task": "", "interval": pinned.interval_id,
        "args": "[]", "kwargs": "{}", "queue": "default", "enabled": "", "one_off": "", "headers": "{}",
        "description": "", "priority": "", "expires": "", "expire_seconds": "", "exchange": "", "routing_key": "",
        "start_time_0": "", "start_time_1": "",
    }  # fmt: skip
    response = client.post(f"/admin/django_celery_beat/periodictask/{pinned.pk}/change/", form)

    assert response.status_code == 200
    assert "SHOP_DISPATCH_SECONDS" in response.content.decode()
    assert PeriodicTask.objects.get(pk=pinned.pk).enabled is True


@pytest.mark.parametrize(
    ("task", "setting"),
    [
        ("notifications.sweep_deliveries", "NOTIFICATION_SWEEP_SECONDS"),
        ("shop.sweep_webhooks", "SHOP_WEBHOOK_SWEEP_SECONDS"),
        ("shop.publish_pending_events", "SHOP_OUTBOX_SWEEP_SECONDS"),
    ],
)
def test_a_sweeper_disabled_by_hand_is_enabled_again_and_its_page_names_its_setting(client, pinned, task, setting):
    sweeper = PeriodicTask.objects.get(task=task)
    PeriodicTask.objects.filter(pk=sweeper.pk).update(enabled=False)

    assert keep_pinned() == [Repair(sweeper.name, "disabled")]
    assert PeriodicTask.objects.get(pk=sweeper.pk).enabled is True
    admin = get_user_model().objects.create_superuser("operator", password="a-long-password-1")
    client.force_login(admin)
    page = client.get(f"/admin/django_celery_beat/periodictask/{sweeper.pk}/change/").content.decode()
    assert f"Интервал задаёт настройка {setting}." in page  # LANGUAGE_CODE=ru


def test_one_sweeper_per_task_and_each_pinned_entry_runs_a_task_a_worker_has():
    from adolf.celery import app

    app.loader.import_default_modules()
    tasks = [spec["task"] for spec in settings.BEAT_PINNED_SCHEDULE.values()]
    assert len(tasks) == len(set(tasks))
    assert set(tasks) <= set(app.tasks)
    assert all(getattr(settings, spec["setting"]) == spec["every"] for spec in settings.BEAT_PINNED_SCHEDULE.values())
