"""auth.cleanup_expired_tokens runs daily from django-celery-beat; the admin checks and runs periodic tasks."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from tests.integrations.conftest import make_service, wait_for_result

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "auth: clean up expired tokens (daily)"
CHANGELIST = "/admin/django_celery_beat/periodictask/"


def reapply_the_data_migration() -> PeriodicTask:
    # Transactional tests empty the tables between tests, data migrations' rows included.
    call_command("migrate", "integrations", "0001", verbosity=0)
    call_command("migrate", "integrations", verbosity=0)
    return PeriodicTask.objects.get(name=NAME)


def form_data(**changes) -> dict:
    data = {
        "name": "nightly", "regtask": "", "task": "auth.cleanup_expired_tokens", "enabled": "on",
        "interval": "", "crontab": "", "solar": "", "clocked": "", "start_time_0": "", "start_time_1": "",
        "args": "[7]", "kwargs": "{}", "expires_0": "", "expires_1": "", "expire_seconds": "", "queue": "",
        "exchange": "", "routing_key": "", "priority": "", "headers": "{}", "description": "",
    }  # fmt: skip
    data.update(changes)
    return data


def test_a_data_migration_schedules_the_cleanup_daily_with_the_seeds_seven_days():
    periodic = reapply_the_data_migration()

    assert periodic.task == "auth.cleanup_expired_tokens"
    assert json.loads(periodic.args) == [7]
    assert periodic.enabled
    crontab = periodic.crontab
    assert (crontab.minute, crontab.hour, crontab.day_of_week, crontab.day_of_month, crontab.month_of_year) == (
        "30", "3", "*", "*", "*",
    )  # fmt: skip
    assert str(crontab.timezone) == "Europe/Moscow"


def test_the_admin_refuses_a_task_name_the_central_service_does_not_have(admin_client):
    crontab_id = reapply_the_data_migration().crontab_id

    response = admin_client.post(f"{CHANGELIST}add/", form_data(task="auth.cleanup_expired_tokenz", crontab=crontab_id))

    assert response.status_code == 200
    assert "No task named &#x27;auth.cleanup_expired_tokenz&#x27; is registered" in response.content.decode()
    assert not PeriodicTask.objects.filter(name="nightly").exists()


def test_the_admin_refuses_arguments_that_do_not_fit_the_task(admin_client):
    crontab_id = reapply_the_data_migration().crontab_id

    response = admin_client.post(f"{CHANGELIST}add/", form_data(args='["seven"]', crontab=crontab_id))

    assert "argument &#x27;days&#x27; must be int" in response.content.decode()
    assert not PeriodicTask.objects.filter(name="nightly").exists()


def test_the_admin_saves_a_known_task_with_fitting_arguments(admin_client):
    crontab_id = reapply_the_data_migration().crontab_id

    response = admin_client.post(f"{CHANGELIST}add/", form_data(args="[30]", crontab=crontab_id))

    assert response.status_code == 302
    assert PeriodicTask.objects.get(name="nightly").args == "[30]"


@pytest.mark.e2e
def test_run_now_sends_the_task_by_name_and_the_worker_calls_auth_back(celery_worker, microservice, admin_client):
    periodic = reapply_the_data_migration()
    make_service("auth", microservice.url)

    response = admin_client.post(CHANGELIST, {"action": "run_tasks", "_selected_action": [periodic.pk]}, follow=True)

    [message] = [str(m) for m in response.context["messages"]]
    assert message.startswith(f"Sent 1 task(s): {NAME} [")
    task_id = message.rsplit("[", 1)[1].rstrip("]")
    stored = wait_for_result(task_id)
    assert stored.status == "SUCCESS"
    assert stored.periodic_task_name == NAME
    [request] = microservice.received
    assert request.json()["arguments"] == {"days": 7}


def test_run_now_refuses_a_stored_task_name_nobody_has(admin_client):
    periodic = reapply_the_data_migration()
    PeriodicTask.objects.filter(pk=periodic.pk).update(task="auth.gone_task")

    response = admin_client.post(CHANGELIST, {"action": "run_tasks", "_selected_action": [periodic.pk]}, follow=True)

    [message] = [str(m) for m in response.context["messages"]]
    assert message.startswith(f"Not sent: {NAME}: No task named 'auth.gone_task'")
