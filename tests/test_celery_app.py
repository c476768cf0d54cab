"""The Celery app is configured for at-least-once delivery and routes by task-name prefix."""

from __future__ import annotations

import pytest
from django.conf import settings

from adolf.celery import QUEUES
from adolf.celery import app as celery_app


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("shop.poll_orders", "default"),
        ("shop.send_notification", "default"),
        ("notifications.dispatch_delivery", "default"),
        ("adolf.ping", "default"),
        ("auth.send_verification_email", "auth"),
        ("cart.merge_carts", "cart"),
        ("order.update_order_status", "order"),
        ("product.update_stock", "product"),
    ],
)
def test_tasks_are_routed_to_the_queue_named_by_their_prefix(task_name, queue):
    route = celery_app.amqp.router.route({}, task_name)
    assert route["queue"].name == queue


def test_the_worker_consumes_one_queue_per_service_plus_default():
    assert QUEUES == ("default", "auth", "cart", "order", "product")
    assert {queue.name for queue in celery_app.conf.task_queues} == set(QUEUES)


def test_delivery_settings_make_tasks_at_least_once_and_bounded():
    conf = celery_app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_soft_time_limit < conf.task_time_limit
    assert conf.broker_connection_retry_on_startup is True
    assert conf.result_extended is True
    assert conf.beat_scheduler == "adolf.beat:Scheduler"  # the DatabaseScheduler, keeping its pinned entries
    if not settings.EMBEDDED_BROKER:
        # A task is redelivered only after it outlives the visibility timeout.
        assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit + 300
