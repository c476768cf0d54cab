"""Benchmark 1: poll a store of changed orders — ADOLF against the seed's algorithm and the floor.

Each measurement runs in a process of its own (`python -m bench.poll SCENARIO ...`), so its
peak RSS is its own; it prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from datetime import timedelta


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _store(url: str, key: str, secret: str):
    from shop.models import Store

    store, _ = Store.objects.get_or_create(
        slug="bench",
        defaults={"name": "Bench", "base_url": url, "allow_http": True, "consumer_key": key,
                  "consumer_secret": secret, "poll_interval": 3600, "enabled": False},
    )  # fmt: skip
    return store


def _raw_pages(store, after):
    """Fetch and JSON-decode the listing's pages, nothing else: the floor."""
    from shop.clients import client_for
    from shop.woocommerce.paging import Window

    with client_for(store) as client:
        offset = 0
        while True:
            page = client._orders_window(after, Window(offset, client.config.per_page))
            yield page.items
            if len(page.items) < client.config.per_page:
                return
            offset += len(page.items)


def warm_up() -> None:
    """Open the connections a worker process keeps open between tasks: the database, the broker."""
    from django.db import connection

    from adolf.celery import app

    connection.ensure_connection()
    with app.producer_or_acquire() as producer:
        producer.connection.ensure_connection()


def _requests_served(url: str) -> int:
    """How many requests the simulated store has served so far (its control API does not count)."""
    import httpx

    return httpx.get(f"{url}/_simulator/state", timeout=10).json()["requests"]


def adolf(store) -> dict:
    from django.db import connection

    from shop.polling import poll_store
    from shop.tasks import enqueue_notifications

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    warm_up()
    served = _requests_served(store.base_url)
    with connection.execute_wrapper(count):
        started = time.perf_counter()
        run = poll_store(store.pk, trigger="bench", on_events=enqueue_notifications)
        seconds = time.perf_counter() - started
    return {"orders": run.orders_seen, "pages": run.pages, "events": run.events_created, "seconds": seconds,
            "queries_per_page": queries / max(run.pages, 1), "queries": queries,
            "requests": _requests_served(store.base_url) - served}  # fmt: skip


def floor(store, after) -> dict:
    started = time.perf_counter()
    orders = pages = 0
    for items in _raw_pages(store, after):
        orders += len(items)
        pages += 1
    return {"orders": orders, "pages": pages, "seconds": time.perf_counter() - started}


def seed(store) -> dict:
    import redis
    from django.conf import settings

    from adolf.celery import app
    from bench import seed as seed_algorithm

    client = redis.Redis.from_url(settings.REDIS_URL)
    after = seed_algorithm.last_poll_time(client)  # the seed's own state, as it kept it
    counted = {"orders": 0, "pages": 0}

    def pages():
        for items in _raw_pages(store, after):
            counted["orders"] += len(items)
            counted["pages"] += 1
            yield items

    client.ping()  # the connections a long-running poller keeps open, as ADOLF's are
    with app.producer_or_acquire() as producer:
        producer.connection.ensure_connection()
    started = time.perf_counter()
    events = seed_algorithm.poll(pages(), client, app)
    return {**counted, "events": events, "seconds": time.perf_counter() - started}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", choices=["adolf", "seed", "floor"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--after", help="ISO time the floor lists from; default: where ADOLF reads next")
    parser.add_argument("--repeat", type=int, default=1, help="measure this many times; report the median")
    args = parser.parse_args()
    from bench.setup import start_django

    start_django()
    from datetime import datetime

    from django.utils import timezone

    store = _store(args.url, args.key, args.secret)
    if args.after:
        after = datetime.fromisoformat(args.after)
    elif store.cursor is None:
        after = timezone.now() - timedelta(minutes=store.first_poll_lookback)
    else:
        after = store.cursor - timedelta(seconds=store.overlap)
    baseline_rss = _rss_mb()
    measure = {"adolf": lambda: adolf(store), "seed": lambda: seed(store), "floor": lambda: floor(store, after)}[
        args.scenario
    ]
    # Repeated (a warm poll with nothing new is the same poll every time): the median run.
    runs = sorted((measure() for _ in range(args.repeat)), key=lambda run: run["seconds"])
    result = runs[len(runs) // 2]
    result.update(peak_rss_mb=round(_rss_mb(), 1), start_rss_mb=round(baseline_rss, 1), after=after.isoformat())
    print(json.dumps(result), flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
