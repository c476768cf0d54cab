"""A caller-chosen task id is published once, however often it is sent."""

from __future__ import annotations

import uuid

from integrations.client.celery_utils import send_celery_task


def test_the_same_chosen_id_sent_twice_is_queued_once(producer_redis, unique_queue):
    task_id = f"order-confirmation-{uuid.uuid4().hex}"

    first = send_celery_task("order.send_order_confirmation", [5, "a@b.c"], queue=unique_queue,
                             task_id=task_id, connection=producer_redis)  # fmt: skip
    second = send_celery_task("order.send_order_confirmation", [5, "a@b.c"], queue=unique_queue,
                              task_id=task_id, connection=producer_redis)  # fmt: skip

    assert first == second == task_id
    assert producer_redis.llen(unique_queue) == 1
    assert 0 < producer_redis.ttl(f"adolf:sent-task:{task_id}") <= 86400
    producer_redis.delete(f"adolf:sent-task:{task_id}")


def test_generated_ids_are_distinct_and_each_is_queued(producer_redis, unique_queue):
    ids = {send_celery_task("auth.cleanup_expired_tokens", [7], queue=unique_queue, connection=producer_redis)
           for _ in range(3)}  # fmt: skip

    assert len(ids) == 3
    assert producer_redis.llen(unique_queue) == 3
    producer_redis.delete(*(f"adolf:sent-task:{task_id}" for task_id in ids))
