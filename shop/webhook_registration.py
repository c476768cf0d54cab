"""Register and remove a store's order webhooks through its REST API (an MCP store's REST keys)."""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.urls import reverse

from shop.clients import rest_client_for
from shop.models import Store
from shop.webhooks import TOPICS
from shop.woocommerce.errors import AuthenticationError, NotFoundError, StoreError
from shop.woocommerce.rest import RestClient

logger = logging.getLogger(__name__)


class RegistrationError(Exception):
    """Webhooks could not be (un)registered; the message says why and what to do."""


def webhook_path(store: Store) -> str:
    return reverse("shop:webhook", kwargs={"token": store.webhook_token})


def webhook_url(store: Store) -> str:
    """Return the store's delivery URL; raise RegistrationError without PUBLIC_BASE_URL."""
    if not settings.PUBLIC_BASE_URL:
        raise RegistrationError(
            "PUBLIC_BASE_URL is not set: the store cannot be told where to deliver webhooks (see .env.example)."
        )
    return settings.PUBLIC_BASE_URL + webhook_path(store)


def _save(store: Store, **fields) -> None:
    Store.objects.filter(pk=store.pk).update(**fields)
    for name, value in fields.items():
        setattr(store, name, value)


def register(store: Store) -> list[str]:
    """Create the order webhooks on the store with a fresh secret; return their topics.

    Webhooks registered before are removed first. All or nothing: if one creation fails,
    those already created are removed again and the error is raised.
    """
    url = webhook_url(store)
    created: dict[str, int] = {}
    with _rest_client(store) as client:
        _remove(store, client)
        # Saved before creating: deliveries may arrive as soon as the first webhook exists.
        _save(store, webhook_secret=secrets.token_urlsafe(32))
        try:
            for topic in TOPICS:
                hook = client.create_webhook(
                    topic=topic, delivery_url=url, secret=store.webhook_secret, name=f"ADOLF {topic}"
                )
                created[topic] = hook["id"]
                _save(store, webhook_ids=dict(created))
        except StoreError as exc:
            for webhook_id in created.values():
                _delete_quietly(client, webhook_id)
            _save(store, webhook_ids={})
            hint = " Registering webhooks needs a read/write key." if isinstance(exc, AuthenticationError) else ""
            raise RegistrationError(f"{exc}{hint}") from exc
    logger.info("webhooks registered store=%s topics=%s", store.slug, ",".join(created))
    return list(created)


def unregister(store: Store) -> int:
    """Remove the webhooks registered on the store; return how many were removed."""
    if not store.webhook_ids:
        return 0
    with _rest_client(store) as client:
        return _remove(store, client)


def _remove(store: Store, client: RestClient) -> int:
    removed = 0
    remaining = dict(store.webhook_ids)
    for topic, webhook_id in store.webhook_ids.items():
        try:
            client.delete_webhook(int(webhook_id))
            removed += 1
        except NotFoundError:
            pass  # removed on the store already
        except StoreError as exc:
            _save(store, webhook_ids=remaining)
            raise RegistrationError(str(exc)) from exc
        del remaining[topic]
    _save(store, webhook_ids={})
    return removed


def _rest_client(store: Store) -> RestClient:
    client = rest_client_for(store)
    if client is None:
        raise RegistrationError(
            "Webhooks are registered through the REST API: give this MCP adapter store its REST keys "
            "(Read/Write) as well."
        )
    return client


def _delete_quietly(client, webhook_id: int) -> None:
    try:
        client.delete_webhook(webhook_id)
    except StoreError:
        logger.warning("could not remove webhook %s while undoing a failed registration", webhook_id)
