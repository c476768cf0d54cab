"""One command for the seed's troubleshooting: stores, queues, workers, deliveries, the event outbox."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from operations import status
from operations.registry import Line, registry


def broker_lines(report: dict[str, Any]) -> list[Line]:
    """Describe the queues and the workers that answered."""
    lines: list[Line] = []
    queues = report["queues"]
    if "error" in queues:
        lines.append((f"Queues: {queues['error']}", "error"))
    else:
        lines.append(("Queues: " + ", ".join(f"{name}={length}" for name, length in queues.items()), ""))
    workers = report["workers"]
    if isinstance(workers, dict):
        lines.append((f"Workers: {workers['error']}", "error"))
    elif workers:
        lines.append((f"Workers alive ({len(workers)}): " + ", ".join(workers), ""))
    else:
        lines.append(("Workers alive: none answered", "error"))
    return lines


class Command(BaseCommand):
    """`manage.py shop_status`: every status section of the registry as text, or one JSON object (--json)."""

    help = "Show what is going on: per store the last poll, outcome, cursor and known orders; queues; workers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
        parser.add_argument("--timeout", type=float, default=2.0, help="seconds to wait for the broker and workers")

    def handle(self, *args: Any, **options: Any) -> None:
        report = status.snapshot(timeout=options["timeout"])
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        styles = {"": str, "success": self.style.SUCCESS, "error": self.style.ERROR}
        blocks = [broker_lines(report)]
        blocks += [list(section.describe(report[name])) for name, section in registry.status_sections.items()]
        for previous, block in zip([[], *blocks], blocks, strict=False):
            if len(previous) > 1:  # a paragraph of its own
                self.stdout.write("")
            for text, style in block:
                self.stdout.write(styles[style](text))
