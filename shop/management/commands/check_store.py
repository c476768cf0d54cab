"""The admin's "Test connection" from a shell: one line per finding, exit 0 when polls can work, 1 when not."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from shop.actions import find_store
from shop.diagnosis import check_store


class Command(BaseCommand):
    help = (
        "Diagnose a store: TLS, the API, the keys, the clock and what its polls recorded. Prints one line per "
        "finding ([ok], [warning], [fails]); exits 0 when polls can work, 1 when they cannot."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("store", help="the store's slug or id")
        parser.add_argument(
            "--write", action="store_true", help="also require a key that may write (to register webhooks)"
        )

    def handle(self, *args, store: str, write: bool, **options) -> None:
        target = find_store(store)
        if target is None:
            raise CommandError(f"no store with slug or id {store!r}", returncode=2)
        report = check_store(target, need_write=write)
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            raise CommandError(f"polls of {target.slug} cannot work: {len(report.problems)} problem(s)", returncode=1)
