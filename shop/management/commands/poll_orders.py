"""Poll stores from the shell: synchronously by default, printing what was found."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from shop import locks, polling
from shop.actions import find_store
from shop.models import PollRun, Store
from shop.tasks import enqueue_notifications, poll_orders
from shop.woocommerce.errors import StoreError


class Command(BaseCommand):
    help = "Poll one store (--store) or every enabled store (--all) for changed orders."

    def add_arguments(self, parser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--store", help="the store's slug or id")
        target.add_argument("--all", action="store_true", help="every enabled store")
        parser.add_argument("--async", dest="run_async", action="store_true", help="queue the polls for a worker")

    def handle(self, *args, store: str | None, all: bool, run_async: bool, **options) -> None:
        stores = list(Store.objects.filter(enabled=True)) if all else [self._find(store)]
        if run_async:
            for target in stores:
                result = poll_orders.delay(store_id=target.pk, trigger="command")
                self.stdout.write(f"{target.slug}: queued as task {result.id}")
            return
        failures = 0
        for target in stores:
            failures += not self._poll(target)
        if failures:
            raise CommandError(f"{failures} of {len(stores)} poll(s) failed")

    def _find(self, key: str) -> Store:
        store = find_store(key)
        if store is None:
            raise CommandError(f"no store with slug or id {key!r}")
        return store

    def _poll(self, store: Store) -> bool:
        started = time.monotonic()
        interactive = self.stdout.isatty()

        def progress(page, run) -> None:
            if interactive:
                of = f"/{page.total_pages}" if page.total_pages else ""
                self.stdout.write(f"\r{store.slug}: page {page.number}{of}, {run.orders_seen} orders", ending="")
                self.stdout.flush()

        pages = orders = events = 0
        while True:
            try:
                run = polling.poll_store(store.pk, trigger="command", on_events=enqueue_notifications, on_page=progress)
            except (polling.PollSkipped, locks.LeaseLost) as exc:
                self.stderr.write(str(exc))
                return False
            except StoreError as exc:
                self.stderr.write(f"\n{store.slug}: {exc}" if interactive else f"{store.slug}: {exc}")
                return False
            pages, orders, events = pages + run.pages, orders + run.orders_seen, events + run.events_created
            if run.outcome != PollRun.Outcome.PARTIAL:
                break  # a partial poll stopped at its time budget: read on
        if interactive:
            sys.stdout.write("\n")
        self.stdout.write(
            f"{store.slug}: {pages} page(s), {orders} order(s), {events} event(s) in {time.monotonic() - started:.2f} s"
        )
        return True
