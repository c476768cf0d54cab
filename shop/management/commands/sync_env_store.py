"""Create or update the store that WOOCOMMERCE_MCP_URL / _CONSUMER_KEY / _CONSUMER_SECRET define."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shop.environment import EnvStoreError, sync_env_store

OUTCOMES = {
    "created": "Created the store {slug} ({url}, {api}) from the environment.",
    "updated": "Updated the store {slug} ({url}, {api}) from the environment.",
    "unchanged": "The store {slug} ({url}, {api}) already matches the environment.",
    "released": "WOOCOMMERCE_MCP_URL is unset: the store {slug} is no longer managed by the environment.",
    "none": "WOOCOMMERCE_MCP_URL is unset: no store is defined by the environment.",
}


class Command(BaseCommand):
    help = "Create or update the store the WOOCOMMERCE_* variables define (every `migrate` does it too)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            store, outcome = sync_env_store()
        except EnvStoreError as exc:
            raise CommandError(str(exc)) from None
        values = {"slug": "", "url": "", "api": ""}
        if store is not None:
            values = {"slug": store.slug, "url": store.base_url, "api": store.api}
        self.stdout.write(OUTCOMES[outcome].format(**values))
