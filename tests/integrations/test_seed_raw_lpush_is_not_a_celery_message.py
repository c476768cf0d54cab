"""The seed's `LPUSH celery:{queue}` of a task dict is not what the client sends, and no worker runs it."""

from __future__ import annotations

import json
import uuid

import pytest

from integrations.client.celery_utils import send_celery_task

pytestmark = pytest.mark.e2e


def seed_send_celery_task(connection, task_name: str, args: list, queue: str) -> str:
    """The seed guide's helper, verbatim in what it pushes."""
    task_id = str(uuid.uuid4())
    task_message = {"id": task_id, "task": task_name, "args": args, "kwargs": {}, "retries": 0, "eta": None,
                    "expires": None}  # fmt: skip
    connection.lpush(f"celery:{queue}", json.dumps(task_message))
    return task_id


def test_the_client_pushes_an_envelope_to_the_queues_own_list_not_the_seeds_dict(producer_redis, unique_queue):
    seed_id = seed_send_celery_task(producer_redis, "auth.cleanup_expired_tokens", [7], unique_queue)
    client_id = send_celery_task("auth.cleanup_expired_tokens", [7], queue=unique_queue, connection=producer_redis)

    seed_message = json.loads(producer_redis.lindex(f"celery:{unique_queue}", 0))
    client_message = json.loads(producer_redis.lindex(unique_queue, 0))
    assert seed_message["id"] == seed_id
    assert not {"properties", "headers", "body"} & set(seed_message)
    assert client_message["headers"]["id"] == client_id
    assert {"body", "headers", "properties", "content-type", "content-encoding"} <= set(client_message)
    assert "delivery_tag" in client_message["properties"]
    producer_redis.delete(f"adolf:sent-task:{client_id}")


def test_a_worker_runs_the_clients_message_while_the_seeds_sits_unread(stock_worker, producer_redis):
    queue, reader = stock_worker
    seed_send_celery_task(producer_redis, "auth.send_verification_email", [1, "a@b.c", "https://v"], queue)

    client_id = send_celery_task("auth.send_verification_email", [2, "d@e.f", "https://v"], queue=queue,
                                 connection=producer_redis)  # fmt: skip

    # The worker has taken and run the client's message from its queue's list …
    assert reader.AsyncResult(client_id).get(timeout=60)["user_id"] == 2
    # … and never looked at the seed's key: its message is still there, unrun.
    assert producer_redis.llen(f"celery:{queue}") == 1
    producer_redis.delete(f"celery:{queue}", f"adolf:sent-task:{client_id}")
