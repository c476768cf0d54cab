"""Receive WooCommerce webhooks: read and verify, find the order id, and re-fetch the order it points at.

A webhook is a hint, not a record: WooCommerce renders its body when the delivery runs,
coalesces, delays and loses deliveries, and never retries; it disables a webhook after a
run of non-2xx answers. So the receiver checks the signature, reads the order id and
records the delivery in the inbox (shop.inbox), answering 2xx whenever it can;
`refetch_orders` later reads the orders of many deliveries from the store at once and
records them through the same `record_page` as polling, whose dedupe keys make a webhook
and a poll seeing one change yield one event. Polling stays the source of truth.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.db.models import F
from django.utils import timezone

from adolf.fields import undecryptable
from shop import evidence
from shop.clients import client_for
from shop.detection import record_page
from shop.models import OrderEvent, Store
from shop.woocommerce.base import UnsupportedOperationError
from shop.woocommerce.orders import Order, UnreadableOrder

logger = logging.getLogger(__name__)

TOPICS = ("order.created", "order.updated", "order.deleted", "order.restored")
# WooCommerce's creation ping: a form body naming the webhook, no signature.
PING = re.compile(rb"^webhook_id=\d{1,20}$")
SIGNATURE_HEADER = "X-WC-Webhook-Signature"
TOPIC_HEADER = "X-WC-Webhook-Topic"
WEBHOOK_ID_HEADER = "X-WC-Webhook-ID"
# The body is read in pieces of this size, each fed to the HMAC as it arrives.
CHUNK_BYTES = 64 * 1024


class WebhookRejected(Exception):
    """A delivery refused with an HTTP status and a message for the sender."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Accepted:
    """A verified delivery: the order to re-fetch, or why it asks for nothing.

    order_id None and `ignored` empty: WooCommerce's creation ping. `ignored` set: a
    correctly signed delivery that names no order (another topic, an unreadable body),
    answered 2xx all the same, since refusing it would only earn the webhook a strike.
    """

    order_id: int | None
    topic: str = ""
    ignored: str = ""
    webhook_id: int | None = None


class Readable(Protocol):
    def read(self, size: int) -> bytes: ...


def sign(secret: str, body: bytes) -> str:
    """Return WooCommerce's signature of a body: base64 of HMAC-SHA256 with the webhook secret."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def read_signed(stream: Readable, secret: str, limit: int) -> tuple[bytearray, str]:
    """Read a body of at most `limit` bytes, signing it as it arrives; return it and its signature.

    One copy of the body is held: each piece goes into the HMAC and onto the buffer. Raises
    WebhookRejected (413) past the limit.
    """
    mac = hmac.new(secret.encode(), digestmod=hashlib.sha256)
    body = bytearray()
    while chunk := stream.read(CHUNK_BYTES):
        body += chunk
        if len(body) > limit:
            raise WebhookRejected(413, "too_large", f"The body exceeds {limit} bytes.")
        mac.update(chunk)
    return body, base64.b64encode(mac.digest()).decode()


def is_ping(headers: Mapping[str, str], body: bytes | bytearray) -> bool:
    """Tell WooCommerce's creation ping (`webhook_id=N`, unsigned) from a delivery."""
    return SIGNATURE_HEADER not in headers and bool(PING.match(bytes(body[:64]).strip()))


def order_id_of(payload: Any) -> int | None:
    """Return the order id of a delivery's body, in either shape WooCommerce sends, or None.

    REST API v3 (webhook API version wp_api_v3): the order object, id at `id`; a deletion
    is `{"id": N}`. Legacy v3 (legacy_v3, webhooks made before WooCommerce 3.0 and kept
    since): `{"order": {...}}`, id at `order.id`.
    """
    if isinstance(payload, dict) and "id" not in payload and isinstance(payload.get("order"), dict):
        payload = payload["order"]
    order_id = payload.get("id") if isinstance(payload, dict) else None
    if isinstance(order_id, bool) or not isinstance(order_id, int) or not 0 < order_id < 2**63:
        return None
    return order_id


def verify(store: Store, headers: Mapping[str, str], body: bytes | bytearray, signature: str) -> Accepted:
    """Check one delivery to `store` given its body's signature (read_signed); return what it asks for.

    Raises WebhookRejected (401) for a missing or wrong signature; counts signature
    failures and accepted deliveries on the store (with F(), beside polling's own writes).
    """
    if is_ping(headers, body):
        return Accepted(order_id=None)
    if undecryptable(store.webhook_secret):
        # FIELD_ENCRYPTION_KEY was replaced without the old key: nothing can be verified, so
        # nothing is recorded — but a non-2xx answer would earn a strike from WooCommerce,
        # and polling still reads every change.
        _count_signature_failure(store)
        logger.error(
            "webhook store=%s not verifiable: its webhook secret cannot be decrypted with FIELD_ENCRYPTION_KEY; "
            "ignored (polling reads the change)",
            store.slug,
        )
        return Accepted(order_id=None, ignored="the store's webhook secret cannot be decrypted here")
    sent = headers.get(SIGNATURE_HEADER, "")
    if not store.webhook_secret or not sent or not hmac.compare_digest(signature.encode(), sent.strip().encode()):
        _count_signature_failure(store)
        reason = "missing" if not sent else "wrong"
        if not store.webhook_secret:
            reason = "unverifiable: no webhook secret is set for this store"
        logger.warning("webhook store=%s rejected: signature %s", store.slug, reason)
        raise WebhookRejected(401, "bad_signature", f"The X-WC-Webhook-Signature is {reason}.")
    topic = headers.get(TOPIC_HEADER, "")
    if topic not in TOPICS:
        return _ignored(store, topic, f"topic {topic[:60]!r} is not one of: {', '.join(TOPICS)}")
    try:
        order_id = order_id_of(json.loads(body))
    except (ValueError, UnicodeDecodeError):
        return _ignored(store, topic, "the body is not JSON")
    if order_id is None:
        return _ignored(store, topic, "the body names no order (no positive integer id or order.id)")
    Store.objects.filter(pk=store.pk).update(
        webhook_last_delivery_at=timezone.now(), webhook_deliveries=F("webhook_deliveries") + 1
    )
    raw_id = headers.get(WEBHOOK_ID_HEADER, "")
    return Accepted(order_id=order_id, topic=topic, webhook_id=int(raw_id) if raw_id.isdigit() else None)


def _count_signature_failure(store: Store) -> None:
    Store.objects.filter(pk=store.pk).update(
        webhook_signature_failures=F("webhook_signature_failures") + 1, webhook_last_failure_at=timezone.now()
    )


def _ignored(store: Store, topic: str, reason: str) -> Accepted:
    logger.warning("webhook store=%s ignored: %s", store.slug, reason)
    return Accepted(order_id=None, topic=topic, ignored=reason)


def window_start(store: Store, now: datetime) -> datetime:
    """The earliest change a webhook may report as news: where the next poll reads from."""
    if store.cursor is None:
        return now - timedelta(minutes=store.first_poll_lookback)
    return store.cursor - timedelta(seconds=store.overlap)


def refetch(store_id: int, order_id: int, topic: str = "") -> list[int]:
    """Read one order from the store and record it like a poll would; return new events' ids.

    The inbox reads many at once (refetch_orders); this is the same for one order.
    """
    return refetch_orders(Store.objects.get(pk=store_id), [order_id])


def refetch_orders(store: Store, order_ids: Collection[int]) -> list[int]:
    """Read these orders from the store and record them as one page, as a poll would; return new events' ids.

    One request per 100 orders (RestClient.read_orders: a listing with `include`, not a GET
    per order), one transaction for all of them (record_page). A trashed order
    (order.deleted) and one deleted for good are not served and record nothing: polling
    never sees trash either, and the order's known state is kept for when it is restored.
    An order the store serves but that cannot be read is set aside, as a poll would set it
    aside; orders the store served but was not asked for are left out (a store ignoring
    `include` must not make a webhook announce other orders: polling reads those).

    Raises the client's StoreError with nothing recorded (TransientError: try again later).
    A store whose API cannot read orders by id (an MCP adapter store without REST keys)
    records nothing: polling sees the changes.
    """
    wanted = set(order_ids)
    if not store.enabled or not wanted:
        return []
    with client_for(store) as client:
        try:
            served = client.read_orders(sorted(wanted))
        except UnsupportedOperationError as exc:
            logger.warning("webhook store=%s orders=%d: %s", store.slug, len(wanted), exc.message)
            return []
    orders: list[Order] = []
    unreadable: list[UnreadableOrder] = []
    for item in served:
        if isinstance(item, UnreadableOrder):
            if item.order_id in wanted:
                unreadable.append(item)
        elif item.id in wanted and item.status != "trash" and not item.is_draft:
            orders.append(item)
    gone = wanted - {order.id for order in orders} - {item.order_id for item in unreadable}
    if gone:
        logger.info("webhook store=%s: %d order(s) not served (trashed, deleted or drafts)", store.slug, len(gone))
    if not orders and not unreadable:
        return []
    result = record_page(
        store,
        orders,
        window_start=window_start(store, timezone.now()),
        source=OrderEvent.Source.WEBHOOK,
        unreadable=unreadable,
    )
    # Orders never seen before whose change needs evidence: read it now, as a poll would.
    found = evidence.resolve(store, order_ids=result.awaiting).event_ids if result.awaiting else []
    return found + result.event_ids
