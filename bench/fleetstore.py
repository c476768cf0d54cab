"""Serve a fleet of simulated stores with a trickle of changes, in a process of its own.

Prints one JSON line when ready — the fleet's URL and each store's name, URL, key and
secret — then serves until terminated; on SIGTERM it prints a second line with the number
of changes the trickle made. The simulator's CPU is not charged to the processes measured.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from datetime import timedelta

from bench.setup import start_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stores", type=int, required=True)
    parser.add_argument("--orders", type=int, default=20, help="orders per store, made two days ago")
    parser.add_argument("--changes-per-minute", type=float, default=120, help="across the whole fleet")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    start_django()
    from simulator.fleet import StoreFleet, Trickle

    fleet = StoreFleet()
    for _ in range(args.stores):
        store = fleet.add()
        start = store.now() - timedelta(days=2)
        for n in range(args.orders):
            store.create_order(status="completed", total="1490.00", at=start + timedelta(minutes=n))
    fleet.start()
    trickle = Trickle(fleet, per_minute=args.changes_per_minute, seed=args.seed)
    stores = [
        {"name": member.name, "url": member.store.base_url, "key": member.store.read_key.key,
         "secret": member.store.read_key.secret}
        for member in fleet.members.values()
    ]  # fmt: skip
    print(json.dumps({"url": fleet.url, "stores": stores}), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    started = threading.Event()
    # The trickle starts when the benchmark says so (a line on stdin), so that every
    # measured design meets the same stream of changes.
    threading.Thread(target=lambda: (sys.stdin.readline(), trickle.start(), started.set()), daemon=True).start()
    stop.wait()
    trickle.stop()
    print(json.dumps({"changes": trickle.steps}), flush=True)
    fleet.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
