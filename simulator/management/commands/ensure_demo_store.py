"""Register the simulated demo store of `make run` (development only)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from simulator.demo import DEMO_POLL_INTERVAL, DEMO_URL, ensure_demo_store


class Command(BaseCommand):
    """`manage.py ensure_demo_store`: register the demo store that `make run` serves (DEBUG only)."""

    help = "Register the simulated store that `make run` starts, so its orders are polled."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("ensure_demo_store is for local development; with DEBUG off add real stores.")
        store, created = ensure_demo_store()
        verb = "Registered" if created else "Using"
        self.stdout.write(
            f"{verb} the demo store {store.name} at {DEMO_URL}, polled every {DEMO_POLL_INTERVAL} s; "
            "its order events appear at http://127.0.0.1:8000/notifications/"
        )
