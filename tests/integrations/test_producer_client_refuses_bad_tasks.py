"""The producer client refuses a malformed task before anything is published."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from integrations.client.celery_utils import InvalidTask, send_celery_task


@pytest.mark.parametrize(
    "name",
    ["", "auth", "Auth.send", "auth.", ".send", "auth send", "auth.send-mail", "celery:auth.x", "auth..x", None, 42],
)
def test_it_refuses_a_malformed_task_name(producer_redis, unique_queue, name):
    with pytest.raises(InvalidTask, match=r"is not 'service\.task_name'"):
        send_celery_task(name, [1], queue=unique_queue, connection=producer_redis)
    with pytest.raises(InvalidTask, match=r"is not 'service\.task_name'"):
        send_celery_task(name, [1], connection=producer_redis)  # the queue would come from the name
    assert producer_redis.keys(f"*{unique_queue}*") == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"args": "not-a-list"}, "args must be a list"),
        ({"kwargs": ["x"]}, "kwargs must be a dict"),
        ({"args": [object()]}, "plain JSON values"),
        ({"args": [float("nan")]}, "plain JSON values"),
        ({"countdown": 5000}, "delayed by at most 1190 s"),
        ({"countdown": -1}, "seconds >= 0"),
        ({"eta": datetime(2030, 1, 1)}, "timezone-aware"),
        ({"countdown": 5, "eta": datetime.now(UTC)}, "not both"),
        ({"expires": datetime.now(UTC) - timedelta(minutes=1)}, "expires must be later"),
        ({"priority": 10}, "priority must be"),
        ({"priority": True}, "priority must be"),
        ({"task_id": "has spaces"}, "task_id"),
        ({"queue": "celery:auth queue"}, "not a valid queue name"),
    ],
)
def test_it_refuses_bad_arguments_and_timing_before_publishing(producer_redis, unique_queue, options, message):
    options.setdefault("queue", unique_queue)
    with pytest.raises(InvalidTask, match=message):
        send_celery_task("auth.cleanup_expired_tokens", connection=producer_redis, **options)
    assert producer_redis.keys(f"*{unique_queue}*") == []
