"""The admin's "Test connection" from a shell: one line per finding, exit 0 when polls can work, 1 when not."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import ngettext

from shop.actions import find_store
from shop.diagnosis import check_store


class Command(BaseCommand):
    help = (
        "Diagnose a store: TLS, the API, the keys, the clock and what its polls recorded. Prints one line per "
        "finding ([ok], [warning], [fails]) in the deployment's language (LANGUAGE_CODE, or --language); exits 0 "
        "when polls can work, 1 when they cannot."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("store", help="the store's slug or id")
        parser.add_argument(
            "--write", action="store_true", help="also require a key that may write (to register webhooks)"
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=None,
            help="the language of the findings (default: LANGUAGE_CODE)",
        )

    def handle(self, *args, store: str, write: bool, language: str | None, **options) -> None:
        target = find_store(store)
        if target is None:
            raise CommandError(f"no store with slug or id {store!r}", returncode=2)
        with translation.override(language or settings.LANGUAGE_CODE):
            report = check_store(target, need_write=write)
            lines = report.lines()
            count = len(report.problems)
            failed = ngettext(
                "polls of %(store)s cannot work: %(count)d problem",
                "polls of %(store)s cannot work: %(count)d problems",
                count,
            ) % {"store": target.slug, "count": count}
        for line in lines:
            self.stdout.write(line)
        if not report.ok:
            raise CommandError(failed, returncode=1)
