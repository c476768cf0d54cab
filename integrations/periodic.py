"""Periodic tasks in django-celery-beat: check what the admin saves, run one on demand.

The web process need not hold a task's code: a run is published by name with send_task,
after checking the name against the tasks the central service really has.
"""

from __future__ import annotations

import json
from typing import Any

from django_celery_beat.models import PeriodicTask

from adolf.celery import app as celery_app
from integrations import registry


class PeriodicTaskInvalid(ValueError):
    """A periodic task names an unknown task or arguments that do not fit it."""


def check(task_name: str, args_json: str, kwargs_json: str) -> None:
    """Raise PeriodicTaskInvalid unless the task exists and its stored arguments fit it."""
    try:
        task = registry.get_task(task_name)
    except registry.UnknownTask as exc:
        raise PeriodicTaskInvalid(str(exc)) from None
    args, kwargs = _loads(args_json, "[]"), _loads(kwargs_json, "{}")
    if not isinstance(args, list) or not isinstance(kwargs, dict):
        raise PeriodicTaskInvalid("Arguments must be a JSON list and keyword arguments a JSON object.")
    try:
        registry.check_arguments(task, args, kwargs)
    except registry.ArgumentsMismatch as exc:
        raise PeriodicTaskInvalid(str(exc)) from None


def run_now(periodic_task: PeriodicTask) -> str:
    """Publish one run of the periodic task now, as beat would; return the task id."""
    check(periodic_task.task, periodic_task.args, periodic_task.kwargs)
    options: dict[str, Any] = {"headers": {"periodic_task_name": periodic_task.name}}
    if periodic_task.queue:
        options["queue"] = periodic_task.queue
    if periodic_task.priority is not None:
        options["priority"] = periodic_task.priority
    result = celery_app.send_task(
        periodic_task.task,
        args=_loads(periodic_task.args, "[]"),
        kwargs=_loads(periodic_task.kwargs, "{}"),
        **options,
    )
    return result.id


def _loads(raw: str | None, empty: str) -> Any:
    try:
        return json.loads(raw or empty)
    except json.JSONDecodeError as exc:
        raise PeriodicTaskInvalid(f"Not valid JSON: {exc}") from None
