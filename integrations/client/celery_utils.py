"""Send a task to ADOLF's central Celery service from any microservice.

Copy this one file into your service (for example to `app/utils/celery_utils.py`); it needs
only the `redis` package, not Celery and not the task code. It publishes a genuine Celery
protocol-2 message, the same envelope `celery.send_task` produces, which a stock worker
runs:

    from app.utils.celery_utils import send_celery_task

    task_id = send_celery_task("auth.send_verification_email", args=[user_id, email, link])
    send_celery_task("order.send_order_confirmation", args=[order_id, email],
                     task_id=f"order-confirmation-{order_id}")   # sent at most once a day

Configuration, from the environment: REDIS_HOST (default "redis"), REDIS_PORT (6379),
REDIS_DB (0), REDIS_PASSWORD (none). Point them at the Redis database ADOLF uses as its
broker (ADOLF's CELERY_BROKER_URL / REDIS_URL).

The longest countdown or eta ADOLF accepts depends on its settings; its workers write it
to the Redis key `adolf:limits` (when ready, and again every minute), and this client reads
it there before publishing a delayed task. If the key is gone (Redis restarted without
persistence, flushed, or evicted it), the client keeps to the last limit it read rather than
to its default; DEFAULT_MAX_DELAY_SECONDS holds only until it has read one.

Guide: docs/microservices.md in the ADOLF repository.
"""

from __future__ import annotations

import base64
import bisect
import json
import os
import re
import socket
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.retry import Retry

# datetime.UTC is Python 3.11+; this file also serves services still on 3.10.
UTC = timezone.utc  # noqa: UP017

__all__ = ["InvalidTask", "TaskPublishError", "build_message", "max_delay", "queue_key", "send_celery_task"]

# "service.task_name": the service prefix picks the queue and the service called back.
TASK_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z_][a-z0-9_]*)+$")
QUEUE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,200}$")
TASK_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,200}$")
# kombu's Redis transport keeps one list per priority step; 0 (the plain list) is served first.
PRIORITY_STEPS = (0, 3, 6, 9)
PRIORITY_SEPARATOR = "\x06\x16"
# A worker holds a delayed task unacknowledged; past the broker's visibility timeout Redis
# hands it to a second worker and it runs twice. So ADOLF caps delays (its setting
# TASK_MAX_DELAY_SECONDS, by default the 30 min visibility timeout minus the 10 min task
# time limit and 10 s) and publishes the cap under LIMITS_KEY; this default is used until
# then. Longer delays belong in a periodic task.
DEFAULT_MAX_DELAY_SECONDS = 1190
LIMITS_KEY = "adolf:limits"
LIMITS_CACHE_SECONDS = 60
# A caller-chosen task id is published once per this period; a generated one is only
# guarded for long enough to make this client's own reconnect-and-retry harmless.
CHOSEN_ID_WINDOW_SECONDS = 86400
GENERATED_ID_WINDOW_SECONDS = 600
SENT_KEY = "adolf:sent-task:{task_id}"
REPR_MAX = 1024

# Atomic "publish unless this id was already published": both happen or neither does.
_PUBLISH_ONCE = """
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', tonumber(ARGV[2])) then
  return 0
end
redis.call('LPUSH', KEYS[1], ARGV[1])
return 1
"""

_clients: dict[tuple[str, int, int, str], redis.Redis] = {}
_limits: dict[int, tuple[float, float]] = {}  # id(client) -> (read at, max delay)
_last_published: dict[tuple, float] = {}  # Redis address -> the last limit read there, kept while the key is gone


class InvalidTask(ValueError):
    """The task cannot be sent as asked (bad name, arguments, or timing); nothing was published."""


class TaskPublishError(RuntimeError):
    """Redis could not be reached or refused the message, after retries."""


def send_celery_task(
    task_name: str,
    args: list | tuple | None = None,
    kwargs: dict | None = None,
    queue: str | None = None,
    *,
    task_id: str | None = None,
    countdown: float | None = None,
    eta: datetime | None = None,
    expires: float | datetime | None = None,
    priority: int | None = None,
    connection: redis.Redis | None = None,
) -> str:
    """Publish one task for ADOLF's workers and return its task id.

    queue defaults to the service prefix of task_name. task_id makes the call idempotent:
    the same id is published once (within a day) however often it is sent. countdown
    (seconds) or eta (an aware datetime) delay the task, by at most the limit ADOLF
    publishes (max_delay); expires (seconds or an aware datetime) drops it if no worker
    started it by then; priority 0 (first, the default) to 9 (last).
    """
    _check_task_name(task_name)
    chosen_id = task_id is not None
    task_id = task_id if chosen_id else str(uuid.uuid4())
    queue = queue or task_name.split(".", 1)[0]
    client = connection or _default_client()
    delayed = countdown is not None or eta is not None
    message = build_message(
        task_name, args, kwargs, queue,
        task_id=task_id, countdown=countdown, eta=eta, expires=expires, priority=priority,
        max_delay=max_delay(client) if delayed else DEFAULT_MAX_DELAY_SECONDS,
    )  # fmt: skip
    window = CHOSEN_ID_WINDOW_SECONDS if chosen_id else GENERATED_ID_WINDOW_SECONDS
    try:
        # EVALSHA, loading the script on first use.
        client.register_script(_PUBLISH_ONCE)(
            keys=[queue_key(queue, message["properties"]["priority"]), SENT_KEY.format(task_id=task_id)],
            args=[json.dumps(message), window],
        )
    except redis.RedisError as exc:
        raise TaskPublishError(f"could not publish {task_name} [{task_id}] to Redis: {exc}") from exc
    return task_id


def build_message(
    task_name: str,
    args: list | tuple | None,
    kwargs: dict | None,
    queue: str,
    *,
    task_id: str,
    countdown: float | None = None,
    eta: datetime | None = None,
    expires: float | datetime | None = None,
    priority: int | None = None,
    now: datetime | None = None,
    max_delay: float = DEFAULT_MAX_DELAY_SECONDS,
) -> dict[str, Any]:
    """Return the Celery protocol-2 message for a task, as kombu's Redis transport stores it.

    Raises InvalidTask for a countdown or eta more than `max_delay` seconds ahead.
    """
    args, kwargs = _checked_arguments(task_name, args, kwargs)
    if not QUEUE_NAME.match(queue or ""):
        raise InvalidTask(f"queue {queue!r} is not a valid queue name")
    if not TASK_ID.match(task_id):
        raise InvalidTask(f"task_id {task_id!r} must be 1-200 characters of letters, digits and _.:-")
    priority = 0 if priority is None else priority
    if isinstance(priority, bool) or not isinstance(priority, int) or not 0 <= priority <= 9:
        raise InvalidTask(f"priority must be a whole number from 0 (first) to 9 (last), not {priority!r}")
    now = now or datetime.now(UTC)
    eta_at = _eta(countdown, eta, now, max_delay)
    expires_at = _moment("expires", expires, now) if expires is not None else None
    if expires_at is not None and expires_at <= (eta_at or now):
        raise InvalidTask("expires must be later than the time the task is due")

    body = json.dumps([args, kwargs, {"callbacks": None, "errbacks": None, "chain": None, "chord": None}])
    headers = {
        "lang": "py",
        "task": task_name,
        "id": task_id,
        "shadow": None,
        "eta": eta_at.isoformat() if eta_at else None,
        "expires": expires_at.isoformat() if expires_at else None,
        "group": None,
        "group_index": None,
        "retries": 0,
        "timelimit": [None, None],
        "root_id": task_id,
        "parent_id": None,
        "argsrepr": _short_repr(args),
        "kwargsrepr": _short_repr(kwargs),
        "origin": f"gen{os.getpid()}@{socket.gethostname()}",
        "ignore_result": False,
        "replaced_task_nesting": 0,
        "stamped_headers": None,
        "stamps": {},
    }
    properties: dict[str, Any] = {
        "correlation_id": task_id,
        "reply_to": "",
        "delivery_mode": 2,
        "delivery_info": {"exchange": "", "routing_key": queue},
        "priority": priority,
        "body_encoding": "base64",
        "delivery_tag": str(uuid.uuid4()),
    }
    if expires_at is not None:
        properties["expiration"] = str(int((expires_at - now).total_seconds() * 1000))
    return {
        "body": base64.b64encode(body.encode()).decode(),
        "content-encoding": "utf-8",
        "content-type": "application/json",
        "headers": headers,
        "properties": properties,
    }


def queue_key(queue: str, priority: int = 0) -> str:
    """Return the Redis list a worker of `queue` pops messages of this priority from."""
    step = PRIORITY_STEPS[bisect.bisect(PRIORITY_STEPS, priority) - 1]
    return queue if step == 0 else f"{queue}{PRIORITY_SEPARATOR}{step}"


def _check_task_name(task_name: Any) -> None:
    if not isinstance(task_name, str) or not TASK_NAME.match(task_name):
        raise InvalidTask(
            f"task name {task_name!r} is not 'service.task_name' (lower-case letters, digits and _, "
            "for example 'auth.send_verification_email')"
        )


def _checked_arguments(task_name: str, args: Any, kwargs: Any) -> tuple[list, dict]:
    _check_task_name(task_name)
    args = [] if args is None else args
    kwargs = {} if kwargs is None else kwargs
    if not isinstance(args, list | tuple):
        raise InvalidTask(f"args must be a list, not {type(args).__name__}")
    if not isinstance(kwargs, dict) or not all(isinstance(key, str) for key in kwargs):
        raise InvalidTask("kwargs must be a dict with string keys")
    try:
        json.dumps([args, kwargs], allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidTask(f"args and kwargs must be plain JSON values: {exc}") from None
    return list(args), dict(kwargs)


def max_delay(client: redis.Redis) -> float:
    """Return the longest delay ADOLF accepts, as its workers published it (cached for a minute).

    Raises TaskPublishError when Redis cannot be read. When the key is missing or unreadable
    the last limit this process read stands (a limit lowered since is never forgotten by a
    Redis that lost the key), else DEFAULT_MAX_DELAY_SECONDS; either is read again at the
    next delayed task, not cached, so the workers' next publication is seen at once.
    """
    cached = _limits.get(id(client))
    if cached is not None and time.monotonic() - cached[0] < LIMITS_CACHE_SECONDS:
        return cached[1]
    try:
        raw = client.get(LIMITS_KEY)
    except redis.RedisError as exc:
        raise TaskPublishError(f"could not read ADOLF's limits from Redis: {exc}") from exc
    address = _address(client)
    try:
        limit = float(json.loads(raw)["max_delay_seconds"])
    except (ValueError, KeyError, TypeError):
        limit = -1.0
    if not limit >= 0:  # missing, unreadable, NaN or negative: not a limit any ADOLF publishes
        _limits.pop(id(client), None)
        return _last_published.get(address, DEFAULT_MAX_DELAY_SECONDS)
    _limits[id(client)] = (time.monotonic(), limit)
    _last_published[address] = limit
    return limit


def _address(client: redis.Redis) -> tuple:
    """Return which Redis database a client talks to (host, port or socket path, and db)."""
    kwargs = client.connection_pool.connection_kwargs
    return kwargs.get("host"), kwargs.get("port"), kwargs.get("path"), kwargs.get("db", 0)


def _eta(countdown: float | None, eta: datetime | None, now: datetime, max_delay: float) -> datetime | None:
    if countdown is not None and eta is not None:
        raise InvalidTask("give countdown or eta, not both")
    if countdown is None and eta is None:
        return None
    due = _moment("countdown", countdown, now) if countdown is not None else _moment("eta", eta, now)
    if (due - now).total_seconds() > max_delay:
        raise InvalidTask(
            f"a task may be delayed by at most {max_delay:.0f} s (ADOLF's TASK_MAX_DELAY_SECONDS, which its "
            "broker's visibility timeout bounds); schedule later work as a periodic task"
        )
    return due


def _moment(what: str, value: float | datetime | None, now: datetime) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise InvalidTask(f"{what} must be a timezone-aware datetime")
        return value.astimezone(UTC)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise InvalidTask(f"{what} must be a number of seconds >= 0 or a datetime, not {value!r}")
    return now + timedelta(seconds=value)


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= REPR_MAX else text[: REPR_MAX - 3] + "..."


def _default_client() -> redis.Redis:
    """Return a shared Redis client for the REDIS_* settings (read now, so tests and reloads see changes)."""
    config = (
        os.getenv("REDIS_HOST", "redis"),
        int(os.getenv("REDIS_PORT", "6379")),
        int(os.getenv("REDIS_DB", "0")),
        os.getenv("REDIS_PASSWORD", ""),
    )
    client = _clients.get(config)
    if client is None:
        host, port, db, password = config
        client = redis.Redis(
            host=host,
            port=port,
            db=db,
            password=password or None,
            socket_timeout=5,
            socket_connect_timeout=5,
            # Reconnect and retry a few times; the publish script makes a repeat harmless.
            retry=Retry(ExponentialWithJitterBackoff(cap=2.0, base=0.1), 3),
        )
        _clients[config] = client
    return client
