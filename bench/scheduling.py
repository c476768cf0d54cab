"""Benchmark 7: what scheduling alone costs at ten thousand stores, each due every minute.

No worker and no store: the scheduled polls go to a queue nobody reads (purged after), so
only the scheduler is measured.

- **beat**: 10,000 PeriodicTasks (one per store) under the stock DatabaseScheduler, run
  as a real `celery beat` for BENCH_SCHEDULING_SECONDS (330 by default: one forced reload
  of the table at 300 s, one sync of last-run times every 180 s). Measured from its log:
  how late each send was against its entry's own rule (one interval after its previous
  send), sends against the number due, and beat's CPU.
- **dispatcher**: 10,000 stores with `next_poll_at`, and `shop.schedules.dispatch` called
  every SHOP_DISPATCH_SECONDS in this process, as the worker would run it, publishing each
  poll to the unread queue. Measured: CPU and wall time per run, polls claimed late.
"""

from __future__ import annotations

import itertools
import json
import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.fleet import INTERVAL, STOCK_SCHEDULER, beat_sends, reset
from bench.procstat import cpu_seconds
from bench.workers import percentile

STORES = 10_000
SINK = "bench-sink"


def seconds() -> int:
    return int(os.environ.get("BENCH_SCHEDULING_SECONDS", "330"))


def _sink_purged() -> None:
    import redis
    from django.conf import settings

    redis.Redis.from_url(settings.REDIS_URL).delete(SINK)


def beat(stores: int = STORES, duration: int | None = None) -> dict:
    from django.utils import timezone
    from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

    from tests.support.processes import start_beat

    duration = duration or seconds()
    reset()
    PeriodicTask.objects.filter(name__startswith="shop: poll ").delete()
    every, _ = IntervalSchedule.objects.get_or_create(every=INTERVAL, period=IntervalSchedule.SECONDS)
    start = timezone.now() + timedelta(seconds=20)
    PeriodicTask.objects.bulk_create(
        (
            PeriodicTask(
                name=f"shop: poll s{n:05d}", task="shop.poll_orders", interval=every,
                kwargs=json.dumps({"store_id": n}), queue=SINK,
                last_run_at=start + timedelta(seconds=INTERVAL * n / stores) - timedelta(seconds=INTERVAL),
            )
            for n in range(stores)
        ),
        batch_size=1000,
    )  # fmt: skip
    PeriodicTasks.update_changed()
    logs = Path(tempfile.mkdtemp(prefix="bench-scheduling-"))
    handle = start_beat(logs, scheduler=STOCK_SCHEDULER, LOG_LEVEL="INFO", LOG_FORMAT="json")
    try:
        time.sleep(max(0.0, (start - timezone.now()).total_seconds()) + INTERVAL)  # every entry sent once
        began, cpu = timezone.now(), cpu_seconds(handle.process.pid)
        time.sleep(duration)
        ended, cpu = timezone.now(), cpu_seconds(handle.process.pid) - cpu
    finally:
        handle.stop()
        PeriodicTask.objects.filter(name__startswith="shop: poll ").delete()
        _sink_purged()
    lateness, sent = [], 0
    for times in beat_sends(handle.log()).values():
        for previous, current in itertools.pairwise(times):
            if began <= current < ended:
                sent += 1
                lateness.append((current - previous).total_seconds() - INTERVAL)
    measured = (ended - began).total_seconds()
    return {
        "design": "beat", "stores": stores, "seconds": measured, "sent": sent,
        "due": round(stores * measured / INTERVAL), "late_p50": percentile(lateness, 0.5),
        "late_p95": percentile(lateness, 0.95), "late_max": max(lateness), "cpu_share": cpu / measured,
    }  # fmt: skip


def dispatcher(stores: int = STORES, duration: int | None = None) -> dict:
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from shop import schedules
    from shop.models import Store
    from shop.tasks import poll_orders

    duration = duration or seconds()
    reset()
    start = timezone.now() + timedelta(seconds=5)
    Store.objects.bulk_create(
        (
            Store(
                name=f"S{n}", slug=f"s{n:05d}", base_url=f"https://s{n}.example", consumer_key="ck_bench",
                consumer_secret="cs_bench",  # noqa: S106 - never used: nothing polls these stores
                poll_interval=INTERVAL, next_poll_at=start + timedelta(seconds=INTERVAL * n / stores),
            )
            for n in range(stores)
        ),
        batch_size=1000,
    )  # fmt: skip
    late, claimed, cpu, wall, queries = [], 0, 0.0, 0.0, 0
    runs = 0

    def send(poll: schedules.DuePoll) -> None:
        poll_orders.apply_async(
            kwargs={"store_id": poll.store_id, "trigger": "beat", "due": poll.due.isoformat()},
            queue=SINK, eta=poll.due if poll.due > timezone.now() else None, expires=poll.expires,
        )  # fmt: skip

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    deadline = time.monotonic() + duration
    try:
        with connection.execute_wrapper(count):
            while time.monotonic() < deadline:
                tick = time.monotonic()
                cpu_before, now = time.process_time(), timezone.now()
                polls = schedules.dispatch(send, now=now)
                cpu += time.process_time() - cpu_before
                wall += time.monotonic() - tick
                runs += 1
                claimed += len(polls)
                late += [(now - poll.due).total_seconds() for poll in polls if poll.due < now]
                time.sleep(max(0.0, settings.SHOP_DISPATCH_SECONDS - (time.monotonic() - tick)))
    finally:
        _sink_purged()
        Store.objects.all().delete()
    return {
        "design": "dispatcher", "stores": stores, "seconds": duration, "sent": claimed,
        "due": round(stores * duration / INTERVAL), "runs": runs, "cpu_per_run": cpu / runs,
        "wall_per_run": wall / runs, "queries_per_run": queries / runs, "late_share": len(late) / max(claimed, 1),
        "late_max": max(late, default=0.0), "cpu_share": cpu / duration,
    }  # fmt: skip


def run() -> list[dict]:
    return [beat(), dispatcher()]


def print_table(rows: list[dict]) -> None:
    beat_row, dispatch_row = rows
    print(f"\nBenchmark 7 — scheduling alone, {beat_row['stores']:,} stores every {INTERVAL} s (no worker)")
    print("design | sent/due | late p50 | late p95 | late max | scheduler CPU (share of one core) | per run")
    print(
        f"beat (stock DatabaseScheduler) | {beat_row['sent']}/{beat_row['due']} | {beat_row['late_p50']:.2f} s | "
        f"{beat_row['late_p95']:.2f} s | {beat_row['late_max']:.2f} s | {beat_row['cpu_share']:.1%} | —"
    )
    print(
        f"dispatcher | {dispatch_row['sent']}/{dispatch_row['due']} | — | — | {dispatch_row['late_max']:.2f} s "
        f"({dispatch_row['late_share']:.1%} claimed after due) | {dispatch_row['cpu_share']:.1%} | "
        f"{dispatch_row['cpu_per_run'] * 1000:.0f} ms CPU, {dispatch_row['wall_per_run'] * 1000:.0f} ms wall, "
        f"{dispatch_row['queries_per_run']:.1f} queries"
    )


def main() -> None:
    import sys

    from bench.setup import prepare_database, start_django

    start_django()
    prepare_database()
    which = sys.argv[1:] or ["beat", "dispatcher"]
    rows = [{"beat": beat, "dispatcher": dispatcher}[name]() for name in which]
    if len(rows) == 2:
        print_table(rows)
    print(json.dumps(rows, default=str))


if __name__ == "__main__":
    main()
