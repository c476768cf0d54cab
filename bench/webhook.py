"""Benchmark 4: latency from a webhook received to its notification stored, with a running worker.

The webhook is delivered to the receiver view in-process (Django's test client: no network
on the way in); the worker re-fetches the orders from a simulated store over HTTP, detects,
records and publishes. Two rates: 50 webhooks/s (one every 20 ms, the goal's), and a burst
delivered as fast as the receiver answers. Store requests counts what the worker asked of
the store for them (one `include` listing serves up to 100 orders). Baseline, same run,
same orders: a poll of the same store, from the change to the notification (what the
order waits for without webhooks is the polling interval on top of that).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from bench.workers import percentile, worker

ORDERS = 200
RATE = 50.0  # webhooks a second
SENDERS = 8


def run(orders: int = ORDERS) -> dict:
    from django.db import connection
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

            def webhooks(rate: float | None) -> dict:
                """Deliver `orders` webhooks at `rate` a second (None: at once); return latencies, rate, requests.

                Each delivery is made at its own time, t0 + i/rate, by one of SENDERS threads, as
                WooCommerce's queue runners send them side by side: one thread alone cannot keep
                a 20 ms pace on a busy machine, as a delivery itself takes about that long.
                """
                Notification.objects.all().delete()
                requests_before = len(sim.requests)
                received: dict[int, object] = {}
                start = time.monotonic()

                def sender(first: int) -> None:
                    try:
                        client = Client(HTTP_HOST="127.0.0.1")
                        for index in range(first, orders, SENDERS):
                            if rate:
                                time.sleep(max(0.0, start + index / rate - time.monotonic()))
                            order = sim.store.create_order(status="processing")
                            received[order.id] = timezone.now()
                            response = deliver(client, store, sim.store.render(order), topic="order.created")
                            assert response.status_code == 202, response.content  # recorded in the inbox
                    finally:
                        connection.close()  # each sender thread has a connection of its own

                with ThreadPoolExecutor(max_workers=SENDERS) as senders:
                    list(senders.map(sender, range(SENDERS)))
                achieved = orders / (time.monotonic() - start)
                wait_for(
                    lambda: Notification.objects.count() >= orders, timeout=300, interval=0.05, what="notifications"
                )
                latencies = [
                    (created - received[order_id]).total_seconds()
                    for order_id, created in Notification.objects.values_list("data__order_id", "created")
                ]
                return {"latencies": latencies, "rate": achieved, "store_requests": len(sim.requests) - requests_before}

            paced, burst = webhooks(RATE), webhooks(None)
            by_webhook = paced["latencies"]
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
        "rate": paced["rate"], "store_requests": paced["store_requests"],
        "burst_p50": percentile(burst["latencies"], 0.5), "burst_p95": percentile(burst["latencies"], 0.95),
        "burst_rate": burst["rate"], "burst_store_requests": burst["store_requests"],
        "poll_p50": percentile(by_poll, 0.5), "poll_p95": percentile(by_poll, 0.95),
    }  # fmt: skip


def print_table(result: dict) -> None:
    print(f"\nBenchmark 4 — latency, webhook received → notification stored ({result['orders']} orders, one worker)")
    print(
        "delivered at | webhook p50 | webhook p95 | store requests | baseline: poll right after the change, p50 | p95"
    )
    poll = f"{result['poll_p50']:.2f} s | {result['poll_p95']:.2f} s"
    for prefix in ("", "burst_"):
        print(
            f"{result[prefix + 'rate']:.0f}/s | {result[prefix + 'p50']:.2f} s | {result[prefix + 'p95']:.2f} s | "
            f"{result[prefix + 'store_requests']} | {poll}"
        )
