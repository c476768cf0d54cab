"""Old queued submissions are deleted daily; unqueued ones are kept as evidence."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from integrations.models import TaskSubmission
from integrations.tasks.housekeeping import prune_submissions
from tests.integrations.conftest import make_service

pytestmark = pytest.mark.django_db(transaction=True)


def submission(service, task_id: str, age_days: float, *, queued: bool = True) -> TaskSubmission:
    row = TaskSubmission.objects.create(task_id=task_id, service=service, task_name="auth.cleanup_expired_tokens",
                                        args=[7], published_at=timezone.now() if queued else None)  # fmt: skip
    TaskSubmission.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(days=age_days))
    return row


def test_it_deletes_queued_submissions_older_than_the_given_days_only():
    service = make_service("auth")
    submission(service, "old", 8)
    submission(service, "recent", 6)
    submission(service, "old-never-queued", 8, queued=False)

    assert prune_submissions(7) == 1

    assert set(TaskSubmission.objects.values_list("task_id", flat=True)) == {"recent", "old-never-queued"}


def test_a_data_migration_schedules_it_daily():
    call_command("migrate", "integrations", "0002", verbosity=0)
    call_command("migrate", "integrations", verbosity=0)

    periodic = PeriodicTask.objects.get(task="integrations.prune_submissions")
    assert (periodic.args, periodic.crontab.hour, periodic.enabled) == ("[7]", "3", True)
