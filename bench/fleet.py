"""Benchmark 6: a thousand stores polled every minute by one beat and the recommended worker.

One simulator process serves the whole fleet (`bench.fleetstore`), with a trickle of
changes across it. The worker is the README's (`celery worker --concurrency 4` on every
queue, as in docker-compose.yml), beat is the only one. Each design runs on the same fleet,
the same phases (store i is first due i/N of a minute after the start) and the same
seeded stream of changes:

- **beat**: the house design before this benchmark — one django-celery-beat PeriodicTask
  per store under the stock DatabaseScheduler; the baseline.
- **dispatcher**: one PeriodicTask (`shop.dispatch_polls`) that enqueues the stores due,
  by their `next_poll_at`.

After a minute's warm-up (every store's first poll), it measures for BENCH_FLEET_SECONDS
(300 by default; the recorded figures come from at least that): poll lag (due → started),
polls missed and doubled, worker CPU per poll, peak database connections, beat's CPU.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from bench.procstat import ConnectionSampler, cpu_seconds, load_average
from bench.workers import percentile

ROOT = Path(__file__).resolve().parent.parent
STORES = 1_000
INTERVAL = 60
WARMUP = 75
CONCURRENCY = 4  # docker-compose.yml's worker
CHANGES_PER_MINUTE = 120
STOCK_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
DESIGNS = ("beat", "dispatcher")


def seconds() -> int:
    return int(os.environ.get("BENCH_FLEET_SECONDS", "300"))


def store_count() -> int:
    return int(os.environ.get("BENCH_FLEET_STORES", str(STORES)))


@contextmanager
def fleet_process(stores: int):
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.fleetstore", "--stores", str(stores), "--changes-per-minute",
         str(CHANGES_PER_MINUTE)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError("the simulated fleet did not start")
        fleet = json.loads(line)

        def start_trickle() -> None:
            process.stdin.write("go\n")
            process.stdin.flush()

        fleet["start_trickle"] = start_trickle
        yield fleet
        process.terminate()
        fleet["changes"] = json.loads(process.stdout.readline() or "{}").get("changes", 0)
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(30)


def reset() -> None:
    """Forget the previous run: stores (their history goes with them), stray schedules, results, queues."""
    import redis
    from django.conf import settings
    from django_celery_beat.models import PeriodicTask, PeriodicTasks
    from django_celery_results.models import TaskResult

    from notifications.models import Notification
    from shop.models import Store

    Store.objects.all().delete()
    PeriodicTask.objects.filter(task="shop.poll_orders").delete()
    PeriodicTasks.update_changed()
    TaskResult.objects.all().delete()
    Notification.objects.all().delete()
    redis.Redis.from_url(settings.REDIS_URL).flushdb()


def create_stores(fleet: dict, design: str, start: datetime) -> list:
    """Add the fleet's stores, store i first due at start + i/N of an interval."""
    from shop.models import Store

    count = len(fleet["stores"])
    phases = [start + timedelta(seconds=INTERVAL * i / count) for i in range(count)]
    rows = [
        Store(
            name=f"Fleet {member['name']}", slug=f"fleet-{member['name']}", base_url=member["url"], allow_http=True,
            consumer_key=member["key"], consumer_secret=member["secret"], poll_interval=INTERVAL,
        )
        for member in fleet["stores"]
    ]  # fmt: skip
    if design == "dispatcher":
        for row, due in zip(rows, phases, strict=True):
            row.next_poll_at = due
    stores = Store.objects.bulk_create(rows)
    if design == "beat":
        schedule_per_store(stores, phases)
    return stores


def schedule_per_store(stores: list, phases: list[datetime]) -> None:
    """The baseline: one PeriodicTask per store, as the house's schedules kept them, beat's own rows."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

    every, _ = IntervalSchedule.objects.get_or_create(every=INTERVAL, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.bulk_create(
        PeriodicTask(
            name=f"shop: poll {store.slug}", task="shop.poll_orders", interval=every,
            kwargs=json.dumps({"store_id": store.pk}), queue="default", enabled=True,
            # Beat runs an interval entry one interval after its last run.
            last_run_at=due - timedelta(seconds=INTERVAL),
        )
        for store, due in zip(stores, phases, strict=True)
    )  # fmt: skip
    PeriodicTasks.update_changed()


def pinned_entries(enabled: bool) -> None:
    """Switch the dispatcher's own beat entries on (dispatcher) or out of the way (baseline)."""
    from django.conf import settings
    from django_celery_beat.models import PeriodicTask, PeriodicTasks

    names = list(getattr(settings, "BEAT_PINNED_SCHEDULE", {}))
    if not enabled:
        PeriodicTask.objects.filter(name__in=names).delete()
        PeriodicTasks.update_changed()


def beat_sends(log: str) -> dict[str, list[datetime]]:
    """Parse beat's JSON log: when it sent each store's poll, by PeriodicTask name."""
    sends: dict[str, list[datetime]] = {}
    marker = "Scheduler: Sending due task "
    for line in log.splitlines():
        if marker not in line:
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        name = record["msg"][len(marker) :].rsplit(" (", 1)[0]
        sends.setdefault(name, []).append(datetime.fromisoformat(record["ts"]))
    return sends


def measure(design: str, stores: int | None = None, duration: int | None = None) -> dict:
    """Run one design on a fresh fleet and return its figures."""
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from shop.models import PollRun, Store
    from tests.support.processes import purge_queues, settle, start_beat, start_worker

    duration = duration or seconds()
    stores = stores or store_count()
    reset()
    db = settings.DATABASES["default"]
    dsn = {"host": db["HOST"], "port": db["PORT"] or 5432, "user": db["USER"], "password": db["PASSWORD"] or None,
           "dbname": "postgres"}  # fmt: skip
    logs = Path(tempfile.mkdtemp(prefix=f"bench-fleet-{design}-"))
    with fleet_process(stores) as fleet:
        pinned_entries(design == "dispatcher")
        start = timezone.now() + timedelta(seconds=15)  # the processes start meanwhile
        create_stores(fleet, design, start)
        purge_queues()
        quiet = {"LOG_LEVEL": "WARNING"}
        worker = start_worker(logs, concurrency=CONCURRENCY, **quiet)
        beat = start_beat(
            logs, scheduler=STOCK_SCHEDULER if design == "beat" else None, LOG_LEVEL="INFO", LOG_FORMAT="json"
        )
        try:
            fleet["start_trickle"]()
            time.sleep(max(0.0, (start - timezone.now()).total_seconds()) + WARMUP)
            connection.close()
            with ConnectionSampler(dsn, db["NAME"]) as connections:
                began, cpu_worker, cpu_beat = (
                    timezone.now(),
                    cpu_seconds(worker.process.pid),
                    cpu_seconds(beat.process.pid),
                )
                loads = []
                deadline = time.monotonic() + duration
                while time.monotonic() < deadline:
                    time.sleep(min(10.0, max(0.0, deadline - time.monotonic())))
                    loads.append(load_average())
                ended = timezone.now()
                cpu_worker = cpu_seconds(worker.process.pid) - cpu_worker
                cpu_beat = cpu_seconds(beat.process.pid) - cpu_beat
        finally:
            beat.stop()
            settle(worker, timeout=120)
            worker.stop()
    runs = list(
        PollRun.objects.filter(started_at__gte=began - timedelta(seconds=INTERVAL), started_at__lt=ended)
        .order_by("started_at")
        .values("store_id", "started_at", "finished_at", "outcome", *(["due_at"] if design == "dispatcher" else []))
    )
    slugs = dict(Store.objects.values_list("pk", "slug"))
    figures = analyse(design, runs, began, ended, slugs, beat.log() if design == "beat" else "")
    figures.update(
        design=design, stores=stores, seconds=(ended - began).total_seconds(), changes=fleet.get("changes", 0),
        worker_cpu_seconds=cpu_worker, beat_cpu_seconds=cpu_beat, peak_connections=connections.peak,
        load_average=sum(loads) / max(len(loads), 1),
    )  # fmt: skip
    figures["cpu_per_poll"] = cpu_worker / max(figures["polls"], 1)
    figures["beat_cpu_share"] = cpu_beat / figures["seconds"]
    return figures


def analyse(design: str, runs: list[dict], began: datetime, ended: datetime, slugs: dict, beat_log: str) -> dict:
    """Lag, missed and doubled polls from the poll runs (and, for beat, its log of sends)."""
    by_store: dict[int, list[dict]] = {}
    for run in runs:
        by_store.setdefault(run["store_id"], []).append(run)
    sends = beat_sends(beat_log) if design == "beat" else {}
    lags, durations, missed, doubled, skipped, polls = [], [], 0, 0, 0, 0
    for store_id in slugs:
        started = []
        for run in by_store.get(store_id, []):
            if run["outcome"] == "skipped":
                skipped += run["started_at"] >= began
                continue
            started.append(run["started_at"])
            if run["started_at"] < began:
                continue  # the run before the window: only its start counts, for the first gap
            polls += 1
            if run["finished_at"]:
                durations.append((run["finished_at"] - run["started_at"]).total_seconds())
            due = run.get("due_at") if design == "dispatcher" else _beat_due(sends, slugs[store_id], run["started_at"])
            if due is not None:
                lags.append((run["started_at"] - due).total_seconds())
        # Missed: a gap of two intervals or more between polls (or at the window's ends);
        # doubled: two polls within half an interval.
        edges = [began - timedelta(seconds=INTERVAL), *started, ended]
        for before, after in itertools.pairwise(edges):
            gap = (after - before).total_seconds()
            missed += max(0, round(gap / INTERVAL) - 1) if gap > 1.5 * INTERVAL else 0
            doubled += 0 < gap < INTERVAL / 2 and before != edges[0] and after != ended
    return {
        "polls": polls,
        "expected": round(len(slugs) * (ended - began).total_seconds() / INTERVAL),
        "missed": missed,
        "doubled": doubled + skipped,
        "lag_p50": percentile(lags, 0.50) if lags else None,
        "lag_p95": percentile(lags, 0.95) if lags else None,
        "lag_max": max(lags) if lags else None,
        "poll_seconds_mean": sum(durations) / max(len(durations), 1),
    }


def _beat_due(sends: dict[str, list[datetime]], slug: str, started: datetime) -> datetime | None:
    """When beat meant to send the poll that started at `started`: one interval after its previous send."""
    times = sends.get(f"shop: poll {slug}", [])
    earlier = [sent for sent in times if sent <= started + timedelta(seconds=1)]
    if len(earlier) < 2:
        return None
    return earlier[-2] + timedelta(seconds=INTERVAL)


def run() -> list[dict]:
    return [measure(design) for design in DESIGNS]


def needs(figures: dict, stores: int) -> str:
    """Worker processes and cores `stores` stores polled every minute need, from the CPU and time per poll."""
    per_second = stores / INTERVAL
    cores = per_second * figures["cpu_per_poll"]
    # Each process runs one task at a time and waits on the store and the database too;
    # sized to run at 70 % busy.
    processes = per_second * max(figures["poll_seconds_mean"], figures["cpu_per_poll"]) / 0.7
    return f"{processes:.1f} processes, {cores:.2f} cores"


def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def print_table(rows: list[dict]) -> None:
    print(f"\nBenchmark 6 — {rows[0]['stores']:,} stores every {INTERVAL} s, one beat, one worker "
          f"(concurrency {CONCURRENCY}), {rows[0]['seconds']:.0f} s measured")  # fmt: skip
    header = ("design", "polls/expected", "lag p50", "lag p95", "lag max", "missed", "doubled", "worker CPU/poll",
              "poll wall", "peak DB conns", "beat CPU", "load avg", "needs 1,000 / 10,000 stores")  # fmt: skip
    print(" | ".join(header))
    for row in rows:
        print(" | ".join([
            row["design"], f"{row['polls']}/{row['expected']}", _s(row["lag_p50"]), _s(row["lag_p95"]),
            _s(row["lag_max"]), str(row["missed"]), str(row["doubled"]), f"{row['cpu_per_poll'] * 1000:.0f} ms",
            f"{row['poll_seconds_mean'] * 1000:.0f} ms", str(row["peak_connections"]),
            f"{row['beat_cpu_share']:.1%}", f"{row['load_average']:.2f}",
            f"{needs(row, 1_000)} / {needs(row, 10_000)}",
        ]))  # fmt: skip


def main() -> None:
    from bench.setup import prepare_database, start_django

    start_django()
    prepare_database()
    designs = sys.argv[1:] or list(DESIGNS)
    rows = [measure(design) for design in designs]
    print_table(rows)
    print(json.dumps(rows, default=str))


if __name__ == "__main__":
    main()
