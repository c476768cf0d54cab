"""Run the benchmarks and print one table: `make bench` (or `python -m bench`)."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from bench.setup import start_django

ROOT = Path(__file__).resolve().parent.parent


def python(*args: str) -> dict:
    """Run `python -m bench.…` and return the JSON line it prints."""
    result = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


@contextmanager
def simulated_store(orders: int, *options: str):
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.simstore", "--orders", str(orders), *options],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError("the simulated store did not start")
        yield json.loads(line)
    finally:
        process.terminate()
        process.wait(30)


def reset() -> None:
    """Forget the previous measurement: the bench store and its rows, the seed's Redis state, queues."""
    import redis
    from django.conf import settings

    from shop.models import Store

    Store.objects.filter(slug="bench").delete()
    redis.Redis.from_url(settings.REDIS_URL).flushdb()


def change_one_percent(sim: dict, orders: int) -> None:
    import httpx

    with httpx.Client(base_url=sim["url"], timeout=10) as client:
        for order_id in range(101, 101 + orders, 100):
            client.post(f"/_simulator/orders/{order_id}/status", json={"status": "cancelled"}).raise_for_status()


def poll_benchmark(orders: int = 10_000) -> list[dict]:
    from django.utils import timezone

    from shop.models import Store

    rows = []
    reset()
    with simulated_store(orders // 5) as sim:
        small = python("bench.poll", "adolf", "--url", sim["url"], "--key", sim["key"], "--secret", sim["secret"])
    reset()
    with simulated_store(orders) as sim:
        keys = ("--url", sim["url"], "--key", sim["key"], "--secret", sim["secret"])
        window = (timezone.now() - timedelta(minutes=60)).isoformat()
        for scenario in ("cold", "warm, no changes", "warm, 1% changed"):
            if scenario == "warm, 1% changed":
                change_one_percent(sim, orders)
            # A poll with nothing new is the same poll every time: the median of several.
            repeat = ("--repeat", "7") if scenario == "warm, no changes" else ()
            store = Store.objects.filter(slug="bench").first()
            after = window if store is None else (store.cursor - timedelta(seconds=store.overlap)).isoformat()
            floor = python("bench.poll", "floor", *keys, "--after", after, *repeat)
            seed = python("bench.poll", "seed", *keys, *repeat)
            adolf = python("bench.poll", "adolf", *keys, *repeat)
            rows.append({"scenario": scenario, "adolf": adolf, "seed": seed, "floor": floor})
    rows.append({"scenario": f"cold, {orders // 5} orders", "adolf": small})
    reset()
    with simulated_store(orders // 5, "--page-cap", "10") as sim:
        capped = python("bench.poll", "adolf", "--url", sim["url"], "--key", sim["key"], "--secret", sim["secret"])
    rows.append({"scenario": f"cold, {orders // 5} orders, store capped at 10 a page", "adolf": capped})
    return rows


def rate(result: dict) -> str:
    return f"{result['orders'] / result['seconds']:,.0f}" if result["seconds"] and result["orders"] else "—"


def print_poll_table(rows: list[dict]) -> None:
    print("\nBenchmark 1 — poll (orders/s; ratios against the seed's algorithm and the fetch+decode floor)")
    header = ("scenario", "orders", "pages", "requests/poll", "ADOLF o/s", "seed o/s", "floor o/s", "×seed",
              "time/floor", "queries/page", "queries/poll", "peak RSS MB")  # fmt: skip
    print(" | ".join(header))
    for row in rows:
        adolf, seed, floor = row["adolf"], row.get("seed"), row.get("floor")
        speedup = f"{seed['seconds'] / adolf['seconds']:.1f}×" if seed else "—"
        to_floor = f"{adolf['seconds'] / floor['seconds']:.2f}" if floor else "—"
        print(" | ".join([
            row["scenario"], str(adolf["orders"]), str(adolf["pages"]), str(adolf["requests"]), rate(adolf),
            rate(seed) if seed else "—", rate(floor) if floor else "—", speedup, to_floor,
            f"{adolf['queries_per_page']:.1f}", str(adolf["queries"]), f"{adolf['peak_rss_mb']:.0f}",
        ]))  # fmt: skip


BENCHMARKS = ("poll", "fanout", "gateway", "webhook", "tls", "fleet", "scheduling")


def main() -> None:
    """Run the benchmarks named on the command line (`python -m bench fleet`), or all of them."""
    chosen = sys.argv[1:] or list(BENCHMARKS)
    unknown = set(chosen) - set(BENCHMARKS)
    if unknown:
        raise SystemExit(f"unknown benchmark(s): {', '.join(sorted(unknown))}; choose from {', '.join(BENCHMARKS)}")
    start_django()
    from bench.setup import prepare_database

    prepare_database()
    print(f"machine: {platform.node()} {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}, {len(__import__('os').sched_getaffinity(0))} cores")  # fmt: skip
    from bench import fanout, fleet, gateway, scheduling, tls, webhook

    runs = {
        "poll": lambda: print_poll_table(poll_benchmark()),
        "fanout": lambda: fanout.print_table(fanout.run()),
        "gateway": lambda: gateway.print_table(gateway.publishing(), gateway.callbacks()),
        "webhook": lambda: webhook.print_table(webhook.run()),
        "tls": lambda: tls.print_table(tls.run()),
        "fleet": lambda: fleet.print_table(fleet.run()),
        "scheduling": lambda: scheduling.print_table(scheduling.run()),
    }
    for name in chosen:
        runs[name]()


if __name__ == "__main__":
    main()
