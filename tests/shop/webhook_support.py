"""Sending deliveries to the receiver as WooCommerce does."""

from __future__ import annotations

import json

from shop.models import Store
from simulator.webhooks import sign

SECRET = "whsec-test-3f9a1c"


def url_of(store: Store) -> str:
    return f"/shop/webhooks/{store.webhook_token}/"


def deliver(client, store: Store, payload, *, topic: str = "order.updated", secret: str = SECRET, **headers):
    """POST a delivery signed with `secret` (the body may be raw bytes) and return the response."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    extra = {
        "HTTP_X_WC_WEBHOOK_TOPIC": topic,
        "HTTP_X_WC_WEBHOOK_SIGNATURE": sign(secret, body),
        "HTTP_X_WC_WEBHOOK_SOURCE": "https://shop.example/",
    }
    extra.update(headers)
    return client.generic("POST", url_of(store), body, content_type="application/json", **extra)
