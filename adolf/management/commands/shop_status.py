"""One command for the seed's troubleshooting: stores, queues, workers, deliveries, the event outbox."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from adolf import status


def _when(value: str | None) -> str:
    if not value:
        return "never"
    moment = parse_datetime(value)
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else value


class Command(BaseCommand):
    help = "Show what is going on: per store the last poll, outcome, cursor and known orders; queues; workers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
        parser.add_argument("--timeout", type=float, default=2.0, help="seconds to wait for the broker and workers")

    def handle(self, *args: Any, **options: Any) -> None:
        report = status.snapshot(timeout=options["timeout"])
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        self._stores(report["stores"])
        self.stdout.write("")
        queues = report["queues"]
        if "error" in queues:
            self.stdout.write(self.style.ERROR(f"Queues: {queues['error']}"))
        else:
            self.stdout.write("Queues: " + ", ".join(f"{name}={length}" for name, length in queues.items()))
        workers = report["workers"]
        if isinstance(workers, dict):
            self.stdout.write(self.style.ERROR(f"Workers: {workers['error']}"))
        elif workers:
            self.stdout.write(f"Workers alive ({len(workers)}): " + ", ".join(workers))
        else:
            self.stdout.write(self.style.ERROR("Workers alive: none answered"))
        deliveries = report["deliveries"]
        self.stdout.write("Deliveries: " + ", ".join(f"{name}={count}" for name, count in deliveries.items()))
        events = report["unpublished_events"]
        oldest = f" (oldest {_when(events['oldest'])})" if events["count"] else ""
        self.stdout.write(f"Unpublished events: {events['count']}{oldest}")

    def _stores(self, stores: list[dict[str, Any]]) -> None:
        if not stores:
            self.stdout.write("Stores: none")
            return
        self.stdout.write("Stores:")
        for store in stores:
            poll = store["last_poll"]
            state = "disabled" if not store["enabled"] else "OVERDUE" if store["overdue"] else "ok"
            if store["failing_since"]:
                state = f"FAILING since {_when(store['failing_since'])}"
            line = self.style.ERROR if state.startswith(("OVERDUE", "FAILING")) else self.style.SUCCESS
            self.stdout.write(line(f"  {store['store']} ({store['name']}, {store['api']}): {state}"))
            if poll:
                error = f" {poll['error_type']}" if poll["error_type"] else ""
                self.stdout.write(
                    f"    last poll: {_when(poll['started_at'])} {poll['outcome']}{error}, "
                    f"{poll['orders']} orders, {poll['events']} events"
                )
            else:
                self.stdout.write("    last poll: never")
            self.stdout.write(f"    last success: {_when(store['last_success_at'])}; cursor: {_when(store['cursor'])}")
            self.stdout.write(
                f"    known orders: {store['known_orders']}; unpublished events: {store['unpublished_events']}"
            )
            if store["last_error"]:
                self.stdout.write(f"    last error: {store['last_error'].splitlines()[0][:200]}")
