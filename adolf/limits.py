"""The limits a microservice's producer client must keep to, published where it reads them: the broker.

A task given a countdown or an eta longer than the visibility timeout allows runs twice
(adolf.checks). Every worker writes its limits to the Redis key LIMITS_KEY when it is ready;
integrations/client/celery_utils.py reads them before publishing a delayed task, and the
task API reads the same settings, so both refuse the same delays.
"""

from __future__ import annotations

import json
import logging
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
