"""Print a new submission token for a service (the old one stops working)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from integrations.models import Service


class Command(BaseCommand):
    """`manage.py issue_service_token SERVICE`: issue and print a new submission API token once."""

    help = "Issue a new task submission API token for a service and print it once; only its hash is stored."

    def add_arguments(self, parser) -> None:
        parser.add_argument("service", help="the service's name, e.g. auth")

    def handle(self, *args, service: str, **options) -> None:
        try:
            record = Service.objects.get(name=service)
        except Service.DoesNotExist:
            known = ", ".join(Service.objects.values_list("name", flat=True)) or "none yet; add one in the admin"
            raise CommandError(f"No service named {service!r} (registered: {known}).") from None
        self.stdout.write(record.issue_api_token())
