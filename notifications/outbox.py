"""Hand deliveries to the workers: batch tasks, each claiming up to BATCH_SIZE due rows.

By the task's name: notifications.tasks, which defines it, stands above the modules that
enqueue (publish, dispatch, channels). A delivery whose task is lost (the broker down, the
process dead before the commit's callback ran) is picked up by the sweeper.

A burst of publishes does not need a task each: a batch task claims every due delivery it
has room for, not only its own. So `announce` (publishing) sends a task only if none is
queued that has yet to claim (a Redis key, set with the task and cleared by it as it
starts); and a task that claimed a full batch hands on a follow-up (`follow_up`) before
sending, so a backlog is drained batch after batch, by every worker process at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import cache

import redis
from django.conf import settings

from adolf.celery import app as celery_app

logger = logging.getLogger(__name__)

BATCH_TASK = "notifications.dispatch_deliveries"
# The task of one delivery, before batches: still served for messages queued by an older
# version (notifications.tasks), never sent any more.
DISPATCH_TASK = "notifications.dispatch_delivery"
# The most deliveries one task claims and sends. Bounded so a batch ends well within
# Celery's time limits (notifications.batch sends nothing new past its own deadline).
BATCH_SIZE = 100
# Set while a batch task sent by `announce` has yet to claim. It expires on its own, so a
# task lost or stuck behind a long queue costs a burst at most this long without a new one.
QUEUED_KEY = "adolf:deliveries:batch-queued"
QUEUED_SECONDS = 2
REDIS_TIMEOUT_SECONDS = 2.0


def enqueue(delivery_ids: Iterable[int], *, countdown: float | None = None) -> None:
    """Send one batch task per BATCH_SIZE deliveries, `countdown` seconds from now (None: at once)."""
    ids = list(delivery_ids)
    for start in range(0, len(ids), BATCH_SIZE):
        celery_app.signature(BATCH_TASK, args=(ids[start : start + BATCH_SIZE],)).apply_async(countdown=countdown)


@cache
def _redis() -> redis.Redis | None:
    if not settings.REDIS_URL:
        return None
    return redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
    )


def announce(delivery_ids: Iterable[int]) -> None:
    """Hand just-committed deliveries to a batch task: a queued one that has yet to claim, or a new one.

    Without Redis (REDIS_URL unset), or if it does not answer, every call sends a task.
    """
    ids = list(delivery_ids)
    if not ids:
        return
    client = _redis()
    if client is not None and len(ids) < BATCH_SIZE:
        try:
            if not client.set(QUEUED_KEY, "1", nx=True, ex=QUEUED_SECONDS):
                return  # the queued task will claim them with the rest that is due
        except redis.RedisError as exc:
            logger.warning("Could not check for a queued delivery batch (%s); sending one", type(exc).__name__)
            client = None
    try:
        enqueue(ids)
    except Exception:
        if client is not None:
            # No task went out: the next publish must not count on one.
            _clear(client)
        raise


def taking() -> None:
    """Say a batch task is about to claim: what is published from now on needs a task of its own."""
    client = _redis()
    if client is not None:
        _clear(client)


def _clear(client: redis.Redis) -> None:
    try:
        client.delete(QUEUED_KEY)
    except redis.RedisError as exc:
        # The key expires within QUEUED_SECONDS: a burst waits that long for a new task at worst.
        logger.warning("Could not clear the queued delivery batch mark (%s)", type(exc).__name__)


def follow_up() -> None:
    """Send a batch task with no ids of its own: it claims whatever is due (a backlog's next batch)."""
    celery_app.signature(BATCH_TASK, args=([],)).apply_async()
