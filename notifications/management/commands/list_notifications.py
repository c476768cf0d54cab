"""Browse the notification log from a shell."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Exists, OuterRef
from django.utils import timezone

from notifications.models import LEVEL_RANK, Level, Notification, NotificationRead

UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(value: str) -> timedelta:
    """Read a duration such as 90s, 15m, 1h, 2d or 1w."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhdw])\s*", value)
    if not match:
        raise CommandError(f"--since {value!r} is not a duration like 30m, 1h, 2d or 1w")
    return timedelta(**{UNITS[match[2]]: int(match[1])})


class Command(BaseCommand):
    help = "List notifications, newest first: filter by age, minimum level, event type or module."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", help="only those newer than this: 30m, 1h, 2d, 1w")
        parser.add_argument("--level", choices=Level.values, help="minimum level (warning shows warning and error)")
        parser.add_argument("--event-type", help='event type; a trailing "*" matches a prefix, e.g. shop.order.*')
        parser.add_argument("--module", help="source module, e.g. shop or auth")
        parser.add_argument("--unread", action="store_true", help="only those nobody has read yet")
        parser.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
        parser.add_argument("--json", action="store_true", help="print a JSON array instead of a table")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["limit"] < 1:
            raise CommandError("--limit must be at least 1")
        # Read state is per user; from a shell, "read" means someone read it.
        notifications = Notification.objects.annotate(
            is_read=Exists(NotificationRead.objects.filter(notification=OuterRef("pk")))
        ).order_by("-created", "-id")
        if options["since"]:
            notifications = notifications.filter(created__gte=timezone.now() - parse_since(options["since"]))
        if options["level"]:
            allowed = [level for level, rank in LEVEL_RANK.items() if rank >= LEVEL_RANK[Level(options["level"])]]
            notifications = notifications.filter(level__in=allowed)
        event_type = options["event_type"]
        if event_type:
            if event_type.endswith("*"):
                notifications = notifications.filter(event_type__startswith=event_type[:-1])
            else:
                notifications = notifications.filter(event_type=event_type)
        if options["module"]:
            notifications = notifications.filter(source_module=options["module"])
        if options["unread"]:
            notifications = notifications.filter(is_read=False)
        rows = list(notifications[: options["limit"]])
        if options["json"]:
            self.stdout.write(json.dumps([self._json(n) for n in rows], ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write("No notifications match.")
            return
        for n in rows:
            created = timezone.localtime(n.created).strftime("%Y-%m-%d %H:%M:%S")
            source = f"{n.source_module}:{n.source_id}" if n.source_id else n.source_module
            unread = "*" if not n.is_read else " "
            self.stdout.write(f"{created} {unread} {n.level.upper():7} {n.event_type:28} {source:28} {n.title}")

    @staticmethod
    def _json(notification: Notification) -> dict[str, Any]:
        return {**notification.as_payload(), "read": notification.is_read}
