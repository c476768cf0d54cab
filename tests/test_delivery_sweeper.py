"""The sweeper: committed deliveries no task carries are sent; it is a beat task visible in the admin."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.test import override_settings
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from notifications import dispatch
from notifications.dispatch import SWEEP_GRACE, lease, sweep
from notifications.models import Delivery
from tests.factories.notifications import DeliveryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(dispatch, "enqueue", lambda ids, countdown=None: calls.extend(ids))
    return calls


def test_it_dispatches_pending_deliveries_whose_time_came_and_no_task_took(enqueued):
    overdue = DeliveryFactory(next_attempt_at=timezone.now() - SWEEP_GRACE - timedelta(seconds=1))
    DeliveryFactory()  # just published: its own task is on the way
    DeliveryFactory(next_attempt_at=timezone.now() + timedelta(hours=1))  # still backing off
    DeliveryFactory(status="sent", next_attempt_at=timezone.now() - timedelta(days=1))

    assert sweep() == {"dispatched": 1, "released": 0, "dead": 0, "unheld": 0}
    assert enqueued == [overdue.pk]


def test_a_long_backoff_is_dispatched_as_soon_as_it_is_over(enqueued):
    now = timezone.now()
    waited_an_hour = DeliveryFactory(
        attempts=3, last_attempt_at=now - timedelta(hours=1), next_attempt_at=now - timedelta(seconds=1)
    )
    DeliveryFactory(attempts=1, last_attempt_at=now - timedelta(seconds=20), next_attempt_at=now - timedelta(seconds=1))

    assert sweep()["dispatched"] == 1
    assert enqueued == [waited_an_hour.pk]


def test_it_releases_a_delivery_whose_worker_died_while_sending(enqueued):
    stuck = DeliveryFactory(status="sending", attempts=1, claimed_at=timezone.now() - lease() - timedelta(seconds=1))
    busy = DeliveryFactory(status="sending", attempts=1, claimed_at=timezone.now())

    assert sweep()["released"] == 1
    stuck.refresh_from_db()
    assert (stuck.status, stuck.attempts) == ("pending", 1)
    assert stuck.last_error == "The worker sending this delivery stopped before recording the outcome"
    assert enqueued == [stuck.pk]
    assert Delivery.objects.get(pk=busy.pk).status == "sending"


@override_settings(NOTIFICATION_MAX_ATTEMPTS=2)
def test_a_stuck_delivery_on_its_last_attempt_is_marked_dead(enqueued):
    stuck = DeliveryFactory(status="sending", attempts=2, claimed_at=timezone.now() - lease() - timedelta(seconds=1))
    assert sweep()["dead"] == 1
    assert Delivery.objects.get(pk=stuck.pk).status == "dead"
    assert enqueued == []


def test_the_migration_registers_the_sweeper_once_as_a_periodic_task_every_minute():
    migration = importlib.import_module("notifications.migrations.0002_sweeper_schedule")
    PeriodicTask.objects.filter(task="notifications.sweep_deliveries").delete()
    migration.register(apps, None)
    migration.register(apps, None)

    task = PeriodicTask.objects.get(task="notifications.sweep_deliveries")
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (60, "seconds")
