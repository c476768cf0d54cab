"""The producer client and the task API accept the same longest delay, the one the visibility timeout allows.

A worker publishes its limits to its broker (adolf.limits) when it is ready; the client
reads them there, and the API reads the same setting.
"""

from __future__ import annotations

import json

import pytest
import redis
from celery import Celery
from django.test import override_settings

from integrations.client import celery_utils
from integrations.client.celery_utils import DEFAULT_MAX_DELAY_SECONDS, LIMITS_KEY, InvalidTask, send_celery_task
from integrations.models import TaskSubmission
from tests.integrations.conftest import make_service, submit
from tests.support.processes import start_worker, wait_for
from tests.support.redis_server import RedisServer

# Consistent settings: 300 - 20 - 10 leaves microservices 270 s of countdown.
SHORT = {
    "CELERY_VISIBILITY_TIMEOUT": "300",
    "CELERY_TASK_TIME_LIMIT": "20",
    "CELERY_TASK_SOFT_TIME_LIMIT": "15",
    "TASK_RETRY_MAX_COUNTDOWN_SECONDS": "10",
    "SHOP_STORE_TIMEOUT": "5",
    "SHOP_POLL_MAX_SECONDS": "5",
}


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_client_learns_the_workers_limit_and_refuses_a_longer_countdown(tmp_path):
    with RedisServer(tmp_path).start() as server:
        broker = redis.Redis(port=server.port)
        assert broker.get(LIMITS_KEY) is None
        send_celery_task("auth.cleanup_expired_tokens", [7], queue="nobody", countdown=1000, connection=broker)

        control = Celery("control", broker=server.url, set_as_current=False)
        worker = start_worker(tmp_path, queues=("nobody-else",), control=control, CELERY_BROKER_URL=server.url, **SHORT)
        try:
            limits = wait_for(lambda: broker.get(LIMITS_KEY), timeout=30, what="the worker's limits")
        finally:
            worker.stop()
            control.close()
        assert json.loads(limits) == {"max_delay_seconds": 270, "visibility_timeout": 300, "task_time_limit": 20}

        learned = redis.Redis(port=server.port)  # a fresh client: nothing cached
        with pytest.raises(InvalidTask, match=r"delayed by at most 270 s \(ADOLF's TASK_MAX_DELAY_SECONDS"):
            send_celery_task("auth.cleanup_expired_tokens", [7], queue="nobody", countdown=300, connection=learned)
        send_celery_task("auth.cleanup_expired_tokens", [7], queue="nobody", countdown=100, connection=learned)
        assert broker.llen("nobody") == 2  # the one sent before the limits were known, and this one
        broker.close()
        learned.close()


def test_a_client_keeps_the_last_limit_it_read_when_redis_loses_the_key(tmp_path, monkeypatch):
    with RedisServer(tmp_path).start() as server:
        broker = redis.Redis(port=server.port)
        broker.set(LIMITS_KEY, json.dumps({"max_delay_seconds": 270, "visibility_timeout": 300, "task_time_limit": 20}))
        send_celery_task("auth.cleanup_expired_tokens", [7], queue="nobody", countdown=100, connection=broker)

        broker.flushdb()  # Redis restarted without persistence, or was flushed: the key is gone
        monkeypatch.setattr(celery_utils, "LIMITS_CACHE_SECONDS", 0)  # and the client's minute has run out
        another = redis.Redis(port=server.port)  # a client object made later in the same process
        for client in (broker, another):
            # Before: the client fell back to its default, 1190 s, and the task would have run twice.
            with pytest.raises(InvalidTask, match=r"delayed by at most 270 s"):
                send_celery_task("auth.cleanup_expired_tokens", [7], queue="nobody", countdown=300, connection=client)

        # A worker writes the key again: the next delayed task reads it, nothing was cached meanwhile.
        broker.set(LIMITS_KEY, json.dumps({"max_delay_seconds": 500, "visibility_timeout": 600, "task_time_limit": 90}))
        send_celery_task("auth.cleanup_expired_tokens", [7], queue="nobody", countdown=300, connection=another)
        assert broker.llen("nobody") == 1
        broker.close()
        another.close()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_worker_writes_its_limits_again_after_redis_lost_them(tmp_path):
    with RedisServer(tmp_path).start() as server:
        broker = redis.Redis(port=server.port)
        control = Celery("control", broker=server.url, set_as_current=False)
        worker = start_worker(
            tmp_path, queues=("nobody-else",), control=control, CELERY_BROKER_URL=server.url,
            TASK_LIMITS_REPUBLISH_SECONDS="1", **SHORT,
        )  # fmt: skip
        try:
            wait_for(lambda: broker.get(LIMITS_KEY), timeout=30, what="the worker's limits")
            broker.delete(LIMITS_KEY)
            limits = wait_for(lambda: broker.get(LIMITS_KEY), timeout=30, what="the limits written again")
        finally:
            worker.stop()
            control.close()
        assert json.loads(limits)["max_delay_seconds"] == 270
        broker.close()


@pytest.mark.django_db
@override_settings(TASK_MAX_DELAY_SECONDS=270)
def test_the_task_api_refuses_a_countdown_past_the_same_limit(client):
    token = make_service("auth").issue_api_token()

    refused = submit(client, token, {"task": "auth.cleanup_expired_tokens", "args": [7], "countdown": 300})

    assert refused.status_code == 400
    assert refused.json()["error"] == {
        "code": "invalid_countdown",
        "message": "'countdown' must be a number of seconds from 0 to 270.",
    }
    assert not TaskSubmission.objects.exists()


def test_until_a_worker_published_its_limits_the_client_keeps_to_the_servers_default(settings):
    # The suite runs on the default visibility timeout and time limit.
    assert DEFAULT_MAX_DELAY_SECONDS == settings.TASK_MAX_DELAY_SECONDS == 1190
