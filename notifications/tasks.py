"""Thin Celery tasks over notifications.dispatch: ids in, nothing else."""

from __future__ import annotations

from celery import shared_task

from notifications import dispatch


@shared_task(name="notifications.dispatch_delivery", ignore_result=True)
def dispatch_delivery(delivery_id: int) -> str | None:
    """Make one attempt at a delivery (a no-op unless it is pending and due)."""
    return dispatch.deliver(delivery_id)


@shared_task(name="notifications.sweep_deliveries")
def sweep_deliveries() -> dict[str, int]:
    """Re-dispatch deliveries left behind by a crash, and retries whose long backoff is over."""
    return dispatch.sweep()
