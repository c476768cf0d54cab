"""Benchmark 4: latency from a webhook received to its notification stored, with a running worker.

The webhook is delivered to the receiver view in-process (Django's test client: no network
on the way in); the worker re-fetches the order from a simulated store over HTTP, detects,
records and publishes. Baseline, same run, same orders: a poll of the same store, from the
change to the notification (what the order waits for without webhooks is the polling
interval on top of that).
"""

from __future__ import annotations

import time

from bench.workers import percentile, worker

ORDERS = 200


def run(orders: int = ORDERS) -> dict:
    from django.test import Client
    from django.utils import timezone

    from notifications.models import Notification
    from shop.models import Store
    from shop.tasks import poll_orders
    from simulator import SimulatedStore, StoreServer
    from tests.shop.webhook_support import SECRET, deliver
    from tests.support.processes import wait_for

    Store.objects.filter(slug="bench-hooks").delete()
    Notification.objects.all().delete()
    client = Client(HTTP_HOST="127.0.0.1")
    with StoreServer(SimulatedStore(https=False)) as sim:
        key = sim.store.read_key
        store = Store.objects.create(
            name="Bench hooks", slug="bench-hooks", base_url=sim.url, allow_http=True, consumer_key=key.key,
            consumer_secret=key.secret, poll_interval=3600,
        )  # fmt: skip
        Store.objects.filter(pk=store.pk).update(webhook_secret=SECRET)
        store.refresh_from_db()
        with worker(queues=("default",)):
            poll_orders.delay(store_id=store.pk).get(timeout=60)  # the first poll: the cursor is set
            received: dict[int, object] = {}
            for _ in range(orders):
                order = sim.store.create_order(status="processing")
                received[order.id] = timezone.now()
                response = deliver(client, store, sim.store.render(order), topic="order.created")
                assert response.status_code == 202, response.content  # recorded in the inbox
                time.sleep(0.02)  # deliveries arrive one by one, as WooCommerce sends them
            wait_for(lambda: Notification.objects.count() >= orders, timeout=300, interval=0.2, what="notifications")
            by_webhook = [
                (created - received[order_id]).total_seconds()
                for order_id, created in Notification.objects.values_list("data__order_id", "created")
            ]
            # Baseline: the same number of changes found by a poll instead.
            Notification.objects.all().delete()
            changed_at = timezone.now()
            for _ in range(orders):
                sim.store.create_order(status="processing")
            poll_orders.delay(store_id=store.pk).get(timeout=120)
            wait_for(lambda: Notification.objects.count() >= orders, timeout=300, interval=0.2, what="polled ones")
            by_poll = [
                (created - changed_at).total_seconds()
                for created in Notification.objects.values_list("created", flat=True)
            ]
    return {
        "orders": orders,
        "p50": percentile(by_webhook, 0.5), "p95": percentile(by_webhook, 0.95),
        "poll_p50": percentile(by_poll, 0.5), "poll_p95": percentile(by_poll, 0.95),
    }  # fmt: skip


def print_table(result: dict) -> None:
    print(f"\nBenchmark 4 — latency, webhook received → notification stored ({result['orders']} orders, one worker)")
    print("webhook p50 | webhook p95 | baseline: poll right after the change, p50 | p95")
    print(f"{result['p50']:.2f} s | {result['p95']:.2f} s | {result['poll_p50']:.2f} s | {result['poll_p95']:.2f} s")
