"""The seed's store, defined by the environment: WOOCOMMERCE_MCP_URL, _CONSUMER_KEY and _CONSUMER_SECRET.

`sync_env_store()` creates or updates it; every `manage.py migrate` runs it (a post_migrate
receiver of ShopConfig) and so does `manage.py sync_env_store`. The URL decides the API:

    https://shop.example.com/wp-json/woocommerce/mcp           → mcp-legacy (WooCommerce 10.3.6 on)
    https://shop.example.com/wp-json/mcp/mcp-adapter-default-server → mcp-adapter (10.9+)
    https://shop.example.com                                   → rest (REST API v3)

and the store's address is what stands before `/wp-json`. Its interval is
SHOP_POLLING_INTERVAL. The admin shows it as managed by the environment and does not let
those fields be edited; when the variables are removed, the store stays, editable again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError, transaction

from shop.clients import config_for
from shop.models import Store
from shop.woocommerce.config import StoreConfigError
from shop.woocommerce.mcp import PATHS

logger = logging.getLogger(__name__)

SLUG = "environment"
# Written from the environment; the admin shows them read-only (shop.admin).
MANAGED_FIELDS = ("base_url", "api", "consumer_key", "consumer_secret", "poll_interval", "allow_http")


class EnvStoreError(ValueError):
    """The WOOCOMMERCE_* variables cannot define a store; the message names the variable and the fix."""


@dataclass(frozen=True)
class EnvStore:
    base_url: str
    api: str
    key: str = field(repr=False)
    secret: str = field(repr=False)


def api_for(url: str) -> tuple[str, str]:
    """Return (store address, API kind) for a WOOCOMMERCE_MCP_URL; raise EnvStoreError if it fits none."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise EnvStoreError(
            f"WOOCOMMERCE_MCP_URL={url!r} is not a store URL: give the site (https://shop.example.com) "
            f"or its MCP endpoint (https://shop.example.com{PATHS['mcp-legacy']})"
        )
    path = parts.path.rstrip("/")
    site_path, marker, endpoint = path.partition("/wp-json")
    base_url = f"{parts.scheme}://{parts.netloc}{site_path}"
    if not marker:
        return base_url, Store.Api.REST
    endpoint = "/wp-json" + endpoint
    if endpoint == PATHS["mcp-legacy"]:
        return base_url, Store.Api.MCP_LEGACY
    if endpoint == PATHS["mcp-adapter"]:
        return base_url, Store.Api.MCP_ADAPTER
    if endpoint.startswith("/wp-json/mcp/"):
        raise EnvStoreError(
            f"WOOCOMMERCE_MCP_URL names the MCP adapter server {endpoint!r}; ADOLF speaks to the adapter's "
            f"default server: use {base_url}{PATHS['mcp-adapter']}"
        )
    if endpoint == "/wp-json/wc/v3":
        return base_url, Store.Api.REST
    raise EnvStoreError(
        f"WOOCOMMERCE_MCP_URL ends in {endpoint!r}, which is no WooCommerce API: give the site "
        f"({base_url}), {base_url}{PATHS['mcp-legacy']} or {base_url}{PATHS['mcp-adapter']}"
    )


def env_store() -> EnvStore | None:
    """Return the store the environment defines, None if WOOCOMMERCE_MCP_URL is unset; raise EnvStoreError."""
    url = settings.WOOCOMMERCE_MCP_URL
    if not url:
        return None
    missing = [
        name for name in ("WOOCOMMERCE_CONSUMER_KEY", "WOOCOMMERCE_CONSUMER_SECRET") if not getattr(settings, name)
    ]
    if missing:
        raise EnvStoreError(f"WOOCOMMERCE_MCP_URL is set but {' and '.join(missing)} not: set both keys")
    base_url, api = api_for(url)
    if base_url.startswith("http://") and api != Store.Api.REST:
        # REST over plain http signs with OAuth 1.0a and never sends the secret; MCP sends its key
        # or application password as is. The admin can still allow that for a store on purpose.
        raise EnvStoreError(
            f"WOOCOMMERCE_MCP_URL is plain http: an MCP endpoint gets the key or application password as is, "
            f"so the environment's store speaks MCP over https only: use https{url.strip()[len('http') :]}"
        )
    return EnvStore(base_url, api, settings.WOOCOMMERCE_CONSUMER_KEY, settings.WOOCOMMERCE_CONSUMER_SECRET)


def _values(defined: EnvStore) -> dict[str, object]:
    return {
        "base_url": defined.base_url,
        "api": defined.api,
        "consumer_key": defined.key,
        "consumer_secret": defined.secret,
        "poll_interval": settings.SHOP_POLLING_INTERVAL,
        # Plain http is the operator's explicit choice here, for REST only (signed with OAuth 1.0a):
        # the MCP endpoints want https.
        "allow_http": defined.base_url.startswith("http://") and defined.api == Store.Api.REST,
    }


def _free_slug() -> str:
    slug, n = SLUG, 1
    while Store.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{SLUG}-{n}"
    return slug


def sync_env_store() -> tuple[Store | None, str]:
    """Create or update the environment's store; return it and what happened.

    What happened: "created", "updated", "unchanged", "released" (the variables are gone:
    the store stays, editable in the admin again) or "none". Raises EnvStoreError when the
    variables are set but cannot define a store (nothing is written then).
    """
    defined = env_store()
    with transaction.atomic():
        current = Store.objects.select_for_update().filter(managed_by_environment=True).first()
        if defined is None:
            if current is None:
                return None, "none"
            Store.objects.filter(pk=current.pk).update(managed_by_environment=False)
            return current, "released"
        values = _values(defined)
        candidate = current or Store(name=urlsplit(defined.base_url).netloc)
        for name, value in values.items():
            setattr(candidate, name, value)
        try:
            config_for(candidate)
        except StoreConfigError as exc:
            raise EnvStoreError(f"WOOCOMMERCE_MCP_URL / keys: {exc}") from None
        if current is None:
            candidate.slug = _free_slug()
            candidate.managed_by_environment = True
            candidate.save()
            return candidate, "created"
        stored = Store.objects.get(pk=current.pk)
        if all(getattr(stored, name) == value for name, value in values.items()):
            return current, "unchanged"
        current.save()
        return current, "updated"


def sync_after_migrate(**kwargs: object) -> None:
    """post_migrate receiver: bring the environment's store up to date; a bad variable is reported, not fatal.

    `migrate` must still finish (compose's migrate service gates the whole stack), so the
    error is logged naming the variable, and `manage.py sync_env_store` shows it again.
    """
    try:
        store, outcome = sync_env_store()
    except EnvStoreError as exc:
        logger.error("The environment's store was not synchronised: %s", exc)
        return
    except DatabaseError as exc:
        # `migrate shop 0005` and the like: the stores table is not at this code's version.
        logger.warning("The environment's store was not synchronised: the database is not fully migrated (%s)", exc)
        return
    if store is not None and outcome != "unchanged":
        logger.info("The environment's store %s (%s): %s", store.slug, store.base_url, outcome)
