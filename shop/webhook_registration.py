"""Register and remove a store's order webhooks through its REST API."""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.urls import reverse

from shop.clients import client_for
from shop.models import Store
from shop.webhooks import TOPICS
from shop.woocommerce.errors import AuthenticationError, NotFoundError, StoreError

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
    if store.api != Store.Api.REST:
        raise RegistrationError("Webhooks are registered through the REST API; this store uses MCP.")
    url = webhook_url(store)
    unregister(store)
    # Saved before creating: deliveries may arrive as soon as the first webhook exists.
    _save(store, webhook_secret=secrets.token_urlsafe(32))
    created: dict[str, int] = {}
    with client_for(store) as client:
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
    removed = 0
    with client_for(store) as client:
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


def _delete_quietly(client, webhook_id: int) -> None:
    try:
        client.delete_webhook(webhook_id)
    except StoreError:
        logger.warning("could not remove webhook %s while undoing a failed registration", webhook_id)
