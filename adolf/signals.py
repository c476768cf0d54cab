"""Celery signal receivers: our logging in every Celery process, start-up checks, per-process metrics bookkeeping."""

from __future__ import annotations

import logging.config
from typing import Any

from celery import signals
from django.core.exceptions import ImproperlyConfigured

from adolf import checks, limits, metrics


@signals.setup_logging.connect
def configure_logging(**_: Any) -> None:
    """Log through settings.LOGGING (structured lines) instead of Celery's own format."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


def refuse_to_start(process: str) -> None:
    """Exit the process, naming each contradiction, if its settings contradict each other.

    SystemExit, not an exception: Celery logs and swallows what its signal receivers raise.
    """
    try:
        checks.refuse_contradictions(process)
    except ImproperlyConfigured as exc:
        raise SystemExit(f"{process}: {exc}") from None


@signals.worker_init.connect
def worker_checks_settings(**_: Any) -> None:
    """The worker runs no Django system checks: refuse contradicting settings here."""
    refuse_to_start("celery worker")


@signals.beat_init.connect
def beat_checks_settings(**_: Any) -> None:
    """Beat runs no Django system checks either."""
    refuse_to_start("celery beat")


@signals.worker_ready.connect
def announce_limits(sender: Any = None, **_: Any) -> None:
    """Tell microservices' producer clients the longest delay this worker's settings allow (adolf.limits),
    now and every TASK_LIMITS_REPUBLISH_SECONDS after, in case Redis loses the key."""
    if sender is not None:
        limits.publish(sender.app)
        limits.keep_published(sender.app)


@signals.worker_init.connect
def serve_worker_metrics(**_: Any) -> None:
    """The worker's main process serves its pool children's metrics on METRICS_LISTEN (after the settings checks)."""
    from adolf import metrics_server

    metrics_server.serve()


@signals.beat_init.connect
def serve_beat_metrics(**_: Any) -> None:
    """Beat serves its own metrics on METRICS_LISTEN."""
    from adolf import metrics_server

    metrics_server.serve()


# The states task_postrun reports for the tasks that run here.
TASK_STATES = ("SUCCESS", "FAILURE", "RETRY")


@signals.worker_process_init.connect
def sweep_dead_children(**_: Any) -> None:
    """A new pool child: often the replacement of one that was killed before it could say so."""
    metrics.sweep_dead_processes()


@signals.worker_process_init.connect
def tasks_at_zero(**_: Any) -> None:
    """Export every task of ours at zero from the first scrape, finished in each state and running."""
    from celery import current_app

    names = [name for name in current_app.tasks if not name.startswith("celery.")]
    metrics.start_at_zero(metrics.TASKS_FINISHED, task=names, state=TASK_STATES)
    metrics.start_at_zero(metrics.TASKS_RUNNING, task=names)


@signals.worker_process_shutdown.connect
def mark_child_dead(pid: int | None = None, **_: Any) -> None:
    """A prefork child is exiting: its live gauges must no longer count."""
    if pid is not None:
        metrics.process_died(pid)


@signals.task_prerun.connect
def task_started(task: Any = None, **_: Any) -> None:
    """Count a task as running (adolf_tasks_running), on Celery's task_prerun."""
    if task is not None:
        metrics.TASKS_RUNNING.labels(task=task.name).inc()


@signals.task_postrun.connect
def task_finished(task: Any = None, state: str | None = None, **_: Any) -> None:
    """Count a task as no longer running and finished in its state (adolf_tasks_finished_total), on task_postrun."""
    if task is not None:
        metrics.TASKS_RUNNING.labels(task=task.name).dec()
        metrics.TASKS_FINISHED.labels(task=task.name, state=state or "UNKNOWN").inc()
