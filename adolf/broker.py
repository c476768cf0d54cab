"""Bounded looks at the broker: is it up, how long are the queues, which workers answer."""

from __future__ import annotations

from kombu import Connection

from adolf.celery import QUEUES
from adolf.celery import app as celery_app


def _connection(timeout: float) -> Connection:
    options = {**(celery_app.conf.broker_transport_options or {})}
    if not celery_app.conf.broker_url.startswith("filesystem://"):
        options.update(socket_timeout=timeout, socket_connect_timeout=timeout)
    return celery_app.connection_for_read(connect_timeout=timeout, transport_options=options)


def check(timeout: float) -> None:
    """Connect to the broker once; raise if it cannot be reached within `timeout` seconds."""
    with _connection(timeout) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)


def queue_lengths(timeout: float) -> dict[str, int]:
    """Return the number of messages waiting on each of the project's queues."""
    with _connection(timeout) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
        channel = conn.default_channel
        # Not passive: Redis forgets an empty queue, and a passive declare of it fails.
        return {queue: channel.queue_declare(queue).message_count for queue in QUEUES}


def workers(timeout: float, *, limit: int | None = None) -> list[str]:
    """Return the names of the workers that answer a ping within `timeout` seconds (stop at `limit` answers)."""
    replies = celery_app.control.ping(timeout=timeout, limit=limit) or []
    return sorted(name for reply in replies for name in reply)
