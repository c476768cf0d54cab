"""Serve a simulated store with N orders changed recently, in a process of its own.

Prints one JSON line (url, key, secret) when ready, then serves until terminated, so the
simulator's memory and CPU are not charged to the process being measured.
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
    parser.add_argument("--orders", type=int, required=True)
    parser.add_argument("--minutes-ago", type=float, default=30)
    parser.add_argument("--page-cap", type=int, default=None, help="serve at most this many orders a page")
    args = parser.parse_args()
    start_django()
    from simulator import SimulatedStore, StoreServer

    store = SimulatedStore(https=False, page_cap=args.page_cap)
    start = store.now() - timedelta(minutes=args.minutes_ago)
    for n in range(args.orders):
        # Spread over the window, several per second, as a sale day would.
        store.create_order(status="processing", total="1490.00", at=start + timedelta(seconds=n // 10))
    server = StoreServer(store).start()
    key = store.rw_key
    print(json.dumps({"url": server.url, "key": key.key, "secret": key.secret}), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    server.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
