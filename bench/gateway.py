"""Benchmark 3: the task gateway — the producer client against Celery's own send_task, and
callbacks per second through one worker to a local HTTP sink."""

from __future__ import annotations

import time

import redis

from bench.workers import worker

MESSAGES = 10_000
CALLBACKS = 1_000
QUEUE = "bench-gateway"  # nobody consumes it


def publishing(messages: int = MESSAGES) -> dict:
    from django.conf import settings

    from adolf.celery import app
    from integrations.client.celery_utils import send_celery_task

    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(QUEUE)
    started = time.perf_counter()
    for n in range(messages):
        send_celery_task("product.update_stock", args=[n, -1], queue=QUEUE, connection=client)
    producer = time.perf_counter() - started
    assert client.llen(QUEUE) == messages
    client.delete(QUEUE)
    with app.producer_pool.acquire(block=True) as producer_conn:  # one connection, as the client has
        started = time.perf_counter()
        for n in range(messages):
            app.send_task("product.update_stock", args=[n, -1], queue=QUEUE, producer=producer_conn)
        celery = time.perf_counter() - started
    assert client.llen(QUEUE) == messages
    client.delete(QUEUE)
    return {"messages": messages, "client_per_second": messages / producer, "celery_per_second": messages / celery}


def callbacks(count: int = CALLBACKS) -> dict:
    from django.conf import settings

    from integrations.client.celery_utils import send_celery_task
    from integrations.models import Service
    from tests.support.loopback import LoopbackServer, Reply
    from tests.support.processes import wait_for

    with LoopbackServer(Reply(200, {"ok": True})) as sink:
        Service.objects.update_or_create(name="product", defaults={"base_url": sink.url, "token": "bench"})
        client = redis.Redis.from_url(settings.REDIS_URL)
        with worker(queues=("product",)):
            started = time.perf_counter()
            for n in range(count):
                send_celery_task("product.update_stock", args=[n, -1], connection=client)
            wait_for(lambda: len(sink.received) >= count, timeout=600, interval=0.2, what="every callback")
            seconds = time.perf_counter() - started
    return {"callbacks": count, "per_second": count / seconds}


def print_table(publish: dict, calls: dict) -> None:
    print(
        f"\nBenchmark 3 — task gateway: publishing {publish['messages']:,} messages; {calls['callbacks']:,} callbacks"
    )
    print("producer client msg/s | Celery send_task msg/s | ratio | callbacks/s through one worker")
    print(
        f"{publish['client_per_second']:,.0f} | {publish['celery_per_second']:,.0f} | "
        f"{publish['client_per_second'] / publish['celery_per_second']:.2f} | {calls['per_second']:,.0f}"
    )
