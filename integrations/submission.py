"""Accept a task from a microservice: check it, record it, publish it once; report on it later."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_celery_results.models import TaskResult
from kombu.exceptions import OperationalError

from adolf.celery import app as celery_app
from integrations import registry
from integrations.client.celery_utils import TASK_ID, TASK_NAME
from integrations.models import Service, TaskSubmission

FIELDS = {"task", "args", "kwargs", "task_id", "countdown", "expires", "priority"}
MAX_EXPIRES_SECONDS = 7 * 86400


class SubmissionError(Exception):
    """A submission refused with an HTTP status, a stable code and a message for the developer."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class TaskRequest:
    """One task a service asks to run: its registered name, JSON arguments, an optional id and Celery options."""

    task_name: str
    args: list[Any]
    kwargs: dict[str, Any]
    task_id: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


def parse(service: Service, payload: Any) -> TaskRequest:
    """Return the checked request, or raise SubmissionError saying exactly what is wrong."""
    if not isinstance(payload, dict):
        raise SubmissionError(400, "invalid_body", 'The body must be a JSON object: {"task": …, "args": […]}.')
    unknown = sorted(set(payload) - FIELDS)
    if unknown:
        raise SubmissionError(400, "unknown_field", f"Unknown field(s) {unknown}; allowed: {sorted(FIELDS)}.")
    task_name = payload.get("task")
    if not isinstance(task_name, str) or not TASK_NAME.match(task_name):
        raise SubmissionError(
            400, "invalid_task_name", "'task' must be a task name such as 'auth.cleanup_expired_tokens'."
        )
    if not service.owns_task(task_name):
        raise SubmissionError(
            403,
            "foreign_task",
            f"The service {service.name!r} may submit only {service.name}.* tasks, not {task_name}.",
        )
    try:
        task = registry.get_task(task_name)
    except registry.UnknownTask as exc:
        own = sorted(name for name in registry.service_tasks() if service.owns_task(name))
        raise SubmissionError(
            400, "unknown_task", f"{exc} Tasks of {service.name}: {', '.join(own) or 'none'}."
        ) from None
    args, kwargs = payload.get("args", []), payload.get("kwargs", {})
    if not isinstance(args, list):
        raise SubmissionError(400, "invalid_arguments", "'args' must be a JSON array.")
    if not isinstance(kwargs, dict):
        raise SubmissionError(400, "invalid_arguments", "'kwargs' must be a JSON object.")
    try:
        registry.check_arguments(task, args, kwargs)
    except registry.ArgumentsMismatch as exc:
        raise SubmissionError(400, "invalid_arguments", str(exc)) from None
    task_id = payload.get("task_id")
    if task_id is not None and (not isinstance(task_id, str) or not TASK_ID.match(task_id)):
        raise SubmissionError(400, "invalid_task_id", "'task_id' must be 1-200 characters of letters, digits and _.:-")
    return TaskRequest(task_name, args, kwargs, task_id, _options(payload))


def _options(payload: dict[str, Any]) -> dict[str, Any]:
    # The countdown cap is the producer client's too (adolf.limits): the visibility timeout bounds it.
    countdown = (0, settings.TASK_MAX_DELAY_SECONDS)
    limits = {"countdown": countdown, "expires": (1, MAX_EXPIRES_SECONDS), "priority": (0, 9)}
    options = {}
    for name, (low, high) in limits.items():
        value = payload.get(name)
        if value is None:
            continue
        whole = name == "priority"
        if isinstance(value, bool) or not isinstance(value, int if whole else int | float) or not low <= value <= high:
            kind = "a whole number" if whole else "a number of seconds"
            raise SubmissionError(400, f"invalid_{name}", f"'{name}' must be {kind} from {low} to {high}.")
        options[name] = value
    return options


def submit(service: Service, request: TaskRequest) -> tuple[TaskSubmission, bool]:
    """Record and publish the task; return (submission, False) if that task id was already queued.

    The row is committed before publishing, so a crash in between leaves an unqueued row
    that the caller's retry with the same id publishes. A crash after publishing but
    before marking the row may publish twice: delivery is at-least-once, and the task id
    (the callback's Idempotency-Key) lets the service recognise the repeat.
    """
    task_id = request.task_id or str(uuid.uuid4())
    submission, created = TaskSubmission.objects.get_or_create(
        task_id=task_id,
        defaults={
            "service": service,
            "task_name": request.task_name,
            "args": request.args,
            "kwargs": request.kwargs,
            "options": request.options,
        },
    )
    if not created and (
        submission.service_id != service.pk
        or not submission.same_request(request.task_name, request.args, request.kwargs, request.options)
    ):
        raise SubmissionError(
            409, "task_id_conflict", f"The task id {task_id!r} was already used for a different task or arguments."
        )
    with transaction.atomic():
        # The lock makes a concurrent duplicate wait here and then see the row as queued.
        submission = TaskSubmission.objects.select_for_update().get(pk=submission.pk)
        if submission.published_at is not None:
            return submission, False
        try:
            publish(submission)
        except OperationalError as exc:
            raise SubmissionError(
                503, "broker_unavailable", f"The task could not be queued ({exc}); retry with the same task_id."
            ) from None
        submission.published_at = timezone.now()
        submission.save(update_fields=["published_at"])
    return submission, True


def publish(submission: TaskSubmission) -> None:
    """Send the submission's message to the broker; the task's name routes it to its queue."""
    celery_app.send_task(
        submission.task_name,
        args=submission.args,
        kwargs=submission.kwargs,
        task_id=submission.task_id,
        **submission.options,
    )


def status(service: Service, task_id: str) -> dict[str, Any] | None:
    """Describe a task of this service: its state and result; None if the service has no such task."""
    submission = TaskSubmission.objects.filter(task_id=task_id, service=service).first()
    result = TaskResult.objects.filter(task_id=task_id).first()
    if result is not None and not service.owns_task(result.task_name or ""):
        result = None
    if submission is None and result is None:
        return None
    report: dict[str, Any] = {
        "task_id": task_id,
        "task": submission.task_name if submission else result.task_name,
        "state": "PENDING",
        "result": None,
        "error": None,
        "submitted_at": submission.created_at.isoformat() if submission else None,
        "queued_at": submission.published_at.isoformat() if submission and submission.published_at else None,
        "done_at": None,
    }
    if result is not None:
        report["state"] = result.status
        stored = json.loads(result.result) if result.result else None
        if result.status == "SUCCESS":
            report["result"] = stored
            report["done_at"] = result.date_done.isoformat()
        elif result.status == "FAILURE":
            report["error"] = _error_text(stored)
            report["done_at"] = result.date_done.isoformat()
        elif result.status == "RETRY":
            report["error"] = _error_text(stored)  # why the last attempt failed
    return report


def _error_text(stored: Any) -> str:
    if isinstance(stored, dict) and "exc_type" in stored:
        message = stored.get("exc_message")
        if isinstance(message, list | tuple):
            message = " ".join(str(part) for part in message)
        return f"{stored['exc_type']}: {message}"
    return str(stored)
