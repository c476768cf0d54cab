"""Hand deliveries to the workers: one batch task per chunk of delivery rows.

By the task's name: notifications.tasks, which defines it, stands above the modules that
enqueue (publish, dispatch, channels). A delivery whose task is lost (the broker down, the
process dead before the commit's callback ran) is picked up by the sweeper.
"""

from __future__ import annotations

from collections.abc import Iterable

from adolf.celery import app as celery_app

BATCH_TASK = "notifications.dispatch_deliveries"
# The task of one delivery, before batches: still served for messages queued by an older
# version (notifications.tasks), never sent any more.
DISPATCH_TASK = "notifications.dispatch_delivery"
# The most deliveries one task claims and sends. Bounded so a batch ends well within
# Celery's time limits (notifications.batch sends nothing new past its own deadline).
BATCH_SIZE = 100


def enqueue(delivery_ids: Iterable[int], *, countdown: float | None = None) -> None:
    """Send one batch task per BATCH_SIZE deliveries, `countdown` seconds from now (None: at once)."""
    ids = list(delivery_ids)
    for start in range(0, len(ids), BATCH_SIZE):
        celery_app.signature(BATCH_TASK, args=(ids[start : start + BATCH_SIZE],)).apply_async(countdown=countdown)
