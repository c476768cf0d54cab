"""Hand deliveries to the workers: one dispatch task per delivery row.

By the task's name: notifications.tasks, which defines it, stands above the modules that
enqueue (publish, dispatch, channels). A delivery whose task is lost (the broker down, the
process dead before the commit's callback ran) is picked up by the sweeper.
"""

from __future__ import annotations

from collections.abc import Iterable

from adolf.celery import app as celery_app

DISPATCH_TASK = "notifications.dispatch_delivery"


def enqueue(delivery_ids: Iterable[int], *, countdown: float | None = None) -> None:
    """Send one dispatch task per delivery, `countdown` seconds from now (None: at once)."""
    for delivery_id in delivery_ids:
        celery_app.signature(DISPATCH_TASK, args=(delivery_id,)).apply_async(countdown=countdown)
