"""The limits a microservice's producer client must keep to, published where it reads them: the broker.

A task given a countdown or an eta longer than the visibility timeout allows runs twice
(adolf.checks). Every worker writes its limits to the Redis key LIMITS_KEY when it is ready,
and again every TASK_LIMITS_REPUBLISH_SECONDS (`keep_published`), so a key Redis lost (a
restart without persistence, a flush, an eviction) is back within that time;
integrations/client/celery_utils.py reads them before publishing a delayed task (keeping the
last limit it read while the key is gone), and the task API reads the same settings, so both
refuse the same delays.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from celery import Celery
from django.conf import settings

logger = logging.getLogger(__name__)

# Beside the queues, in the broker's Redis database; the producer client knows this name.
LIMITS_KEY = "adolf:limits"


def current() -> dict[str, int]:
    """Return the limits as published: {"max_delay_seconds", "visibility_timeout", "task_time_limit"}, seconds."""
    return {
        "max_delay_seconds": settings.TASK_MAX_DELAY_SECONDS,
        "visibility_timeout": settings.CELERY_VISIBILITY_TIMEOUT,
        "task_time_limit": settings.CELERY_TASK_TIME_LIMIT,
    }


def publish(app: Celery, *, timeout: float = 5.0) -> bool:
    """Write the limits to the broker, if it is Redis; return whether they were written.

    A failure is logged, not raised: the client then keeps to its built-in default.
    """
    if not app.conf.broker_url.startswith(("redis://", "rediss://")):
        return False
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
            client: Any = conn.default_channel.client
            client.set(LIMITS_KEY, json.dumps(current()))
    except Exception as exc:  # whatever the broker raises, publishing limits must not stop a worker
        logger.warning("could not publish the task limits to the broker: %s", type(exc).__name__)
        return False
    return True


def keep_published(app: Celery, *, every: float | None = None) -> threading.Thread:
    """Publish the limits again every `every` seconds (TASK_LIMITS_REPUBLISH_SECONDS) in a daemon thread; return it.

    Started once per worker (adolf.signals): a Redis that lost the key has it back within
    `every`, and a broker that is down only costs a logged warning per attempt.
    """
    every = settings.TASK_LIMITS_REPUBLISH_SECONDS if every is None else every
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(every):
            publish(app)

    thread = threading.Thread(target=run, name="adolf-limits", daemon=True)
    thread.stop = stop  # type: ignore[attr-defined]
    thread.start()
    return thread
