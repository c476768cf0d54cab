"""Receive WooCommerce webhooks: verify, accept, and re-fetch the order they point at.

A webhook is a hint, not a record: WooCommerce renders its body when the delivery runs,
coalesces, delays and loses deliveries, and never retries. So the receiver only checks the
signature and hands the order id on; `refetch` reads the order from the store and records
it through the same `record_page` as polling, whose dedupe keys make a webhook and a poll
seeing one change yield one event. Polling stays the source of truth.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F
from django.utils import timezone

from shop import evidence
from shop.clients import client_for
from shop.detection import record_page
from shop.models import OrderEvent, Store
from shop.woocommerce.base import UnsupportedOperationError
from shop.woocommerce.errors import NotFoundError, UnreadableOrderError
from shop.woocommerce.orders import UnreadableOrder

logger = logging.getLogger(__name__)

TOPICS = ("order.created", "order.updated", "order.deleted", "order.restored")
# WooCommerce's creation ping: a form body naming the webhook, no signature.
PING = re.compile(rb"^webhook_id=\d{1,20}$")
SIGNATURE_HEADER = "X-WC-Webhook-Signature"
TOPIC_HEADER = "X-WC-Webhook-Topic"


class WebhookRejected(Exception):
    """A delivery refused with an HTTP status and a message for the sender."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Accepted:
    """A verified delivery: the order to re-fetch (None for the creation ping)."""

    order_id: int | None
    topic: str = ""


def sign(secret: str, body: bytes) -> str:
    """Return WooCommerce's signature of a body: base64 of HMAC-SHA256 with the webhook secret."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def signature_matches(secret: str, body: bytes, signature: str) -> bool:
    """Compare a delivery's signature with ours in constant time."""
    return hmac.compare_digest(sign(secret, body).encode(), signature.strip().encode())


def is_ping(headers: Mapping[str, str], body: bytes) -> bool:
    """Tell WooCommerce's creation ping (`webhook_id=N`, unsigned) from a delivery."""
    return SIGNATURE_HEADER not in headers and bool(PING.match(body.strip()))


def verify(store: Store, headers: Mapping[str, str], body: bytes) -> Accepted:
    """Check one delivery to `store`; return what it asks for or raise WebhookRejected.

    Signature failures are counted on the store (with F(), beside polling's own writes).
    """
    if is_ping(headers, body):
        return Accepted(order_id=None)
    signature = headers.get(SIGNATURE_HEADER, "")
    if not store.webhook_secret or not signature or not signature_matches(store.webhook_secret, body, signature):
        Store.objects.filter(pk=store.pk).update(
            webhook_signature_failures=F("webhook_signature_failures") + 1, webhook_last_failure_at=timezone.now()
        )
        reason = "missing" if not signature else "wrong"
        if not store.webhook_secret:
            reason = "unverifiable: no webhook secret is set for this store"
        logger.warning("webhook store=%s rejected: signature %s", store.slug, reason)
        raise WebhookRejected(401, "bad_signature", f"The X-WC-Webhook-Signature is {reason}.")
    topic = headers.get(TOPIC_HEADER, "")
    if topic not in TOPICS:
        raise WebhookRejected(400, "unsupported_topic", f"Topic {topic[:60]!r} is not one of: {', '.join(TOPICS)}.")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise WebhookRejected(400, "malformed_body", "The body is not JSON.") from None
    order_id = payload.get("id") if isinstance(payload, dict) else None
    if isinstance(order_id, bool) or not isinstance(order_id, int) or not 0 < order_id < 2**63:
        raise WebhookRejected(400, "malformed_body", "The body is not an order: it has no positive integer `id`.")
    Store.objects.filter(pk=store.pk).update(
        webhook_last_delivery_at=timezone.now(), webhook_deliveries=F("webhook_deliveries") + 1
    )
    return Accepted(order_id=order_id, topic=topic)


def window_start(store: Store, now: datetime) -> datetime:
    """The earliest change a webhook may report as news: where the next poll reads from."""
    if store.cursor is None:
        return now - timedelta(minutes=store.first_poll_lookback)
    return store.cursor - timedelta(seconds=store.overlap)


def refetch(store_id: int, order_id: int, topic: str = "") -> list[int]:
    """Read the order from the store and record it like a poll would; return new events' ids.

    A trashed order (order.deleted) and one deleted for good (404) record nothing: polling
    never sees trash either, and the order's known state is kept for when it is restored.
    """
    store = Store.objects.get(pk=store_id)
    if not store.enabled:
        return []
    with client_for(store) as client:
        try:
            order = client.get_order(order_id)
        except NotFoundError:
            logger.info("webhook store=%s order=%s topic=%s: the order is gone", store.slug, order_id, topic)
            return []
        except UnsupportedOperationError as exc:
            # An MCP adapter store without REST keys cannot read one order; polling sees the change.
            logger.warning("webhook store=%s order=%s topic=%s: %s", store.slug, order_id, topic, exc.message)
            return []
        except UnreadableOrderError as exc:
            # One bad order never stops anything: set aside, as a poll would (shop.set_aside).
            unreadable = UnreadableOrder(order_id, exc.message, sample=exc.sample)
            record_page(store, [], window_start=window_start(store, timezone.now()), unreadable=[unreadable])
            return []
    if order.status == "trash" or order.is_draft or order.date_modified_gmt is None:
        return []
    result = record_page(
        store, [order], window_start=window_start(store, timezone.now()), source=OrderEvent.Source.WEBHOOK
    )
    # An order never seen before whose change needs evidence: read it now, as a poll would.
    found = evidence.resolve(store, order_ids=result.awaiting).event_ids if result.awaiting else []
    if not result.event_keys:
        return found
    return found + list(
        OrderEvent.objects.filter(dedupe_key__in=result.event_keys, published_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
