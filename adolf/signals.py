"""Celery signal receivers: our logging in every Celery process, and per-process metrics bookkeeping."""

from __future__ import annotations

import logging.config
from typing import Any

from celery import signals

from adolf import metrics


@signals.setup_logging.connect
def configure_logging(**_: Any) -> None:
    """Log through settings.LOGGING (structured lines) instead of Celery's own format."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@signals.worker_init.connect
def serve_worker_metrics(**_: Any) -> None:
    """The worker's main process serves its pool children's metrics on METRICS_LISTEN."""
    from adolf import metrics_server

    metrics_server.serve()


@signals.beat_init.connect
def serve_beat_metrics(**_: Any) -> None:
    """Beat serves its own metrics on METRICS_LISTEN."""
    from adolf import metrics_server

    metrics_server.serve()


@signals.worker_process_init.connect
def sweep_dead_children(**_: Any) -> None:
    """A new pool child: often the replacement of one that was killed before it could say so."""
    metrics.sweep_dead_processes()


@signals.worker_process_shutdown.connect
def mark_child_dead(pid: int | None = None, **_: Any) -> None:
    """A prefork child is exiting: its live gauges must no longer count."""
    if pid is not None:
        metrics.process_died(pid)


@signals.task_prerun.connect
def task_started(task: Any = None, **_: Any) -> None:
    if task is not None:
        metrics.TASKS_RUNNING.labels(task=task.name).inc()


@signals.task_postrun.connect
def task_finished(task: Any = None, state: str | None = None, **_: Any) -> None:
    if task is not None:
        metrics.TASKS_RUNNING.labels(task=task.name).dec()
        metrics.TASKS_FINISHED.labels(task=task.name, state=state or "UNKNOWN").inc()
