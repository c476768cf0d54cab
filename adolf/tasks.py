"""Tasks of the project itself."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="adolf.ping")
def ping() -> str:
    """Answer "pong": proves a worker consumes the default queue and stores results."""
    return "pong"
