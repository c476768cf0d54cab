"""Build the WooCommerce client a store's settings call for."""

from __future__ import annotations

from django.conf import settings

from shop.models import Store
from shop.woocommerce import StoreConfig, build_client
from shop.woocommerce.base import StoreClient


def config_for(store: Store) -> StoreConfig:
    return StoreConfig(
        base_url=store.base_url,
        key=store.consumer_key,
        secret=store.consumer_secret,
        api=store.api,
        name=store.name,
        query_string_auth=store.query_string_auth,
        allow_http=store.allow_http,
        timeout=settings.SHOP_STORE_TIMEOUT,
        ca_certificate=store.ca_certificate,
    )


def client_for(store: Store) -> StoreClient:
    return build_client(config_for(store))
