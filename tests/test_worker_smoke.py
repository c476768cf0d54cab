"""End to end: a real worker process takes a task from the broker and stores its result."""

from __future__ import annotations

import pytest
from django_celery_results.models import TaskResult

from adolf.tasks import ping

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_worker_process_runs_a_task_and_django_celery_results_stores_it(celery_worker):
    result = ping.apply_async()

    assert result.get(timeout=60) == "pong"
    stored = TaskResult.objects.get(task_id=result.id)
    assert stored.status == "SUCCESS"
    assert stored.result == '"pong"'
    # result_extended records what ran and where.
    assert stored.task_name == "adolf.ping"
    assert stored.worker == celery_worker.name


def test_the_worker_answers_remote_control_pings(celery_worker):
    from adolf.celery import app

    replies = app.control.ping(destination=[celery_worker.name], timeout=5)
    assert replies == [{celery_worker.name: {"ok": "pong"}}]
