"""Build the WooCommerce client a store's settings call for."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from adolf.fields import undecryptable
from shop.models import Store
from shop.woocommerce import StoreConfig, build_client
from shop.woocommerce.base import StoreClient
from shop.woocommerce.errors import StoreError
from shop.woocommerce.rest import RestClient


class SecretsUnreadableError(StoreError):
    """The store's keys are stored encrypted with a key this deployment no longer has.

    Not retryable: every poll fails the same way until FIELD_ENCRYPTION_KEY lists the old
    key again (after the new one) or the keys are entered again in the admin.
    """


def config_for(store: Store) -> StoreConfig:
    """The client settings a store's row calls for; raise SecretsUnreadableError if its keys cannot be decrypted."""
    secrets = [store.consumer_key, store.consumer_secret]
    if store.api == Store.Api.MCP_ADAPTER:
        secrets += [store.rest_consumer_key, store.rest_consumer_secret]
    if undecryptable(*secrets):
        raise SecretsUnreadableError(
            _(
                "its API keys cannot be decrypted with FIELD_ENCRYPTION_KEY (replaced without the old key): list the "
                "old key after the new one (comma-separated) and run `manage.py rotate_encryption_keys`, or enter "
                "the keys again on the store's page"
            ),
            store=store.name,
        )
    return StoreConfig(
        base_url=store.base_url,
        key=store.consumer_key,
        secret=store.consumer_secret,
        api=store.api,
        name=store.name,
        query_string_auth=store.query_string_auth,
        allow_http=store.allow_http,
        timeout=settings.SHOP_STORE_TIMEOUT,
        # Its whole history comes every poll: read it as cheaply as completeness allows.
        lean_listing=store.api == Store.Api.REST and store.ignores_modified_after is not None,
        ca_certificate=store.ca_certificate,
        # Kept when a store moves to another API, but used by MCP adapter stores only.
        rest_key=store.rest_consumer_key if store.api == Store.Api.MCP_ADAPTER else "",
        rest_secret=store.rest_consumer_secret if store.api == Store.Api.MCP_ADAPTER else "",
    )


def client_for(store: Store) -> StoreClient:
    return build_client(config_for(store))


def rest_client_for(store: Store) -> RestClient | None:
    """Return a REST client of the store (its own keys, or an MCP adapter store's REST keys), or None."""
    config = config_for(store).rest_config()
    return RestClient(config) if config is not None else None
