"""The simulated store's webhooks: registration with a ping, then signed, late, lossy deliveries.

Like WooCommerce: a ping (form body `webhook_id=N`, no WC headers) is sent on creation and
must be answered with exactly 200 — WooCommerce's admin screen refuses the webhook
otherwise, while its REST controller creates it and ignores the ping's outcome
(`strict_ping=False` behaves so); the body is rendered when the delivery runs,
not when the event happened; deliveries for one order are coalesced within a window;
nothing is retried; seven failures in a row disable the webhook (WC_Webhook::failed_delivery
disables once the count of failures before this one exceeds 5). Loss is configurable, and so
are the late and the doubled deliveries that Action Scheduler produces under load. A webhook
of API version legacy_v3 sends the legacy body, the order wrapped as `{"order": {...}}`.
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import hmac
import json
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from adolf.http import new_client
from simulator.errors import ApiError
from simulator.payloads import SimOrder, wc_date
from simulator.store import SimulatedStore

TOPICS = ("order.created", "order.updated", "order.deleted", "order.restored")
DISABLE_AFTER_FAILURES = 7
PING_FAILED = "woocommerce_rest_webhook_ping_failed"
API_VERSIONS = ("wp_api_v3", "legacy_v3")


@dataclass
class SimWebhook:
    """One webhook registered on the simulated store, with WooCommerce's fields."""

    id: int
    name: str
    topic: str
    delivery_url: str
    secret: str
    created: datetime
    status: str = "active"
    failures: int = 0
    api_version: str = "wp_api_v3"


@dataclass
class Delivery:
    """What happened to one delivery: sent (with the answer's status), lost, or failed."""

    webhook_id: int
    topic: str
    order_id: int
    status: int | None = None
    lost: bool = False
    error: str = ""


@dataclass(order=True)
class _Pending:
    due: float
    seq: int
    webhook_id: int = field(compare=False)
    topic: str = field(compare=False)
    order_id: int = field(compare=False)


def sign(secret: str, body: bytes) -> str:
    """Return WooCommerce's X-WC-Webhook-Signature: base64 of HMAC-SHA256 over the raw body."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


class WebhookHub:
    """Hold a store's webhooks and deliver its order events from one background thread."""

    def __init__(
        self,
        store: SimulatedStore,
        *,
        coalesce_seconds: float = 0.0,
        delay_seconds: float = 0.0,
        loss_rate: float = 0.0,
        late_rate: float = 0.0,
        late_seconds: float = 0.0,
        duplicate_rate: float = 0.0,
        seed: int | None = None,
        timeout: float = 5.0,
        strict_ping: bool = True,
    ) -> None:
        self.store = store
        self.strict_ping = strict_ping
        self.coalesce_seconds = coalesce_seconds
        self.delay_seconds = delay_seconds
        self.loss_rate = loss_rate
        self.late_rate = late_rate
        self.late_seconds = late_seconds
        self.duplicate_rate = duplicate_rate
        self.late = 0
        self.duplicated = 0
        self.drop_next = 0
        self.webhooks: dict[int, SimWebhook] = {}
        self.deliveries: list[Delivery] = []
        self._random = random.Random(seed)  # noqa: S311 - simulated loss, not a secret
        self._queue: list[_Pending] = []
        self._seq = 0
        self._busy = 0
        self._cond = threading.Condition()
        self._stopped = False
        self._timeout = timeout
        # Started with the first webhook: a fleet of a thousand stores without webhooks
        # needs no thousand idle threads and HTTP clients.
        self._http: httpx.Client | None = None
        self._thread: threading.Thread | None = None
        store.on_change.append(self._on_change)

    def _start(self) -> httpx.Client:
        with self._cond:
            if self._http is None:
                self._http = new_client(timeout=self._timeout)
                self._thread = threading.Thread(target=self._run, name="simulated-webhooks", daemon=True)
                self._thread.start()
            return self._http

    # --- the REST side ----------------------------------------------------------------
    def create(
        self, *, name: str, topic: str, delivery_url: str, secret: str = "", status: str = "active"
    ) -> SimWebhook:
        """Register a webhook as WooCommerce does: validate, ping the URL, then store it; return it."""
        # WooCommerce's own validation codes and messages (WC_REST_Webhooks_V1_Controller).
        if topic not in TOPICS:
            message = "Webhook topic is required and must be valid."
            raise ApiError(400, "woocommerce_rest_webhook_invalid_topic", message)
        if not delivery_url.startswith(("http://", "https://")):
            message = "Webhook delivery URL must be a valid URL starting with http:// or https://."
            raise ApiError(400, "woocommerce_rest_webhook_invalid_delivery_url", message)
        with self.store.lock:
            webhook_id = self.store._allocate_id()
        webhook = SimWebhook(webhook_id, name, topic, delivery_url, secret, self.store.now(), status)
        problem = self._ping(webhook)
        if problem and self.strict_ping:
            raise ApiError(400, PING_FAILED, problem)
        with self._cond:
            self.webhooks[webhook_id] = webhook
        return webhook

    def _ping(self, webhook: SimWebhook) -> str:
        """Send the creation ping; return WooCommerce's error message, or "" if answered 200."""
        try:
            answer = self._start().post(webhook.delivery_url, data={"webhook_id": str(webhook.id)})
        except httpx.HTTPError as exc:
            return f"Error: Delivery URL cannot be reached: {exc}"
        if answer.status_code != 200:
            return f"Error: Delivery URL returned response code: {answer.status_code}"
        return ""

    def get(self, webhook_id: int) -> SimWebhook:
        """Return a webhook by id; raise the 404 WooCommerce gives for an unknown one."""
        try:
            return self.webhooks[webhook_id]
        except KeyError:
            raise ApiError(404, "woocommerce_rest_webhook_invalid_id", "Invalid ID.") from None

    def update(self, webhook_id: int, changes: dict[str, Any]) -> SimWebhook:
        """Change a webhook's name, status, secret, delivery URL or API version; reactivating resets its failures."""
        with self._cond:
            webhook = self.get(webhook_id)
            status = changes.get("status", webhook.status)
            if status not in ("active", "paused", "disabled"):
                raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): status")
            api_version = str(changes.get("api_version", webhook.api_version))
            if api_version not in API_VERSIONS:
                raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): api_version")
            webhook.api_version = api_version
            if status == "active" and webhook.status != "active":
                webhook.failures = 0
            webhook.status = status
            webhook.name = str(changes.get("name", webhook.name))
            webhook.secret = str(changes.get("secret", webhook.secret))
            webhook.delivery_url = str(changes.get("delivery_url", webhook.delivery_url))
            return webhook

    def delete(self, webhook_id: int) -> SimWebhook:
        """Delete a webhook; return it."""
        with self._cond:
            webhook = self.get(webhook_id)
            del self.webhooks[webhook_id]
            return webhook

    def render(self, webhook: SimWebhook, *, edit_context: bool = False) -> dict[str, Any]:
        """Return the webhook's REST object; the secret only in the `edit` context (creation)."""
        resource, event = webhook.topic.split(".")
        rendered = {
            "id": webhook.id,
            "name": webhook.name,
            "status": webhook.status,
            "topic": webhook.topic,
            "resource": resource,
            "event": event,
            "hooks": [f"woocommerce_{event}_order"],
            "delivery_url": webhook.delivery_url,
            "api_version": webhook.api_version,
            "date_created": wc_date(self.store.local(webhook.created)),
            "date_created_gmt": wc_date(webhook.created),
            "date_modified": wc_date(self.store.local(webhook.created)),
            "date_modified_gmt": wc_date(webhook.created),
            "_links": {"self": [{"href": f"{self.store.base_url}/wp-json/wc/v3/webhooks/{webhook.id}"}]},
        }
        if edit_context:
            rendered["secret"] = webhook.secret
        return rendered

    # --- deliveries -------------------------------------------------------------------
    def _on_change(self, topic: str, order: SimOrder) -> None:
        with self._cond:
            now = time.monotonic()
            for webhook in self.webhooks.values():
                if webhook.topic != topic or webhook.status != "active":
                    continue
                # One delivery per webhook and order within the coalescing window.
                if self.coalesce_seconds and any(
                    p.webhook_id == webhook.id and p.order_id == order.id for p in self._queue
                ):
                    continue
                due = now + max(self.delay_seconds, self.coalesce_seconds)
                copies = 1
                if self.late_rate and self._random.random() < self.late_rate:
                    due += self._random.uniform(0, self.late_seconds)
                    self.late += 1
                if self.duplicate_rate and self._random.random() < self.duplicate_rate:
                    copies = 2
                    self.duplicated += 1
                for _ in range(copies):
                    self._seq += 1
                    heapq.heappush(self._queue, _Pending(due, self._seq, webhook.id, topic, order.id))
            self._cond.notify_all()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and (not self._queue or self._queue[0].due > time.monotonic()):
                    wait = self._queue[0].due - time.monotonic() if self._queue else None
                    self._cond.wait(wait)
                if self._stopped:
                    return
                pending = heapq.heappop(self._queue)
                self._busy += 1
            try:
                self._deliver(pending)
            finally:
                with self._cond:
                    self._busy -= 1
                    self._cond.notify_all()

    def _deliver(self, pending: _Pending) -> None:
        record = Delivery(pending.webhook_id, pending.topic, pending.order_id)
        webhook = self.webhooks.get(pending.webhook_id)
        if webhook is None or webhook.status != "active":
            return
        with self._cond:
            lose = self.drop_next > 0 or self._random.random() < self.loss_rate
            self.drop_next = max(0, self.drop_next - 1)
        if lose:
            record.lost = True
            self.deliveries.append(record)
            return
        with self.store.lock:
            order = self.store.orders.get(pending.order_id)
            payload = (
                {"id": pending.order_id}
                if order is None or pending.topic == "order.deleted"
                else self.store.render(order)  # rendered now: it may be newer than the event
            )
        if webhook.api_version == "legacy_v3" and pending.topic != "order.deleted":
            payload = {"order": payload}  # a deletion is {"id": N} whatever the version (WC_Webhook::build_payload)
        body = json.dumps(payload).encode()
        resource, event = pending.topic.split(".")
        headers = {
            "Content-Type": "application/json",
            "X-WC-Webhook-Source": f"{self.store.base_url}/",
            "X-WC-Webhook-Topic": pending.topic,
            "X-WC-Webhook-Resource": resource,
            "X-WC-Webhook-Event": event,
            "X-WC-Webhook-Signature": sign(webhook.secret, body),
            "X-WC-Webhook-ID": str(webhook.id),
            # A hash of the webhook id and the current second: not unique per delivery.
            "X-WC-Webhook-Delivery-ID": hashlib.md5(f"{webhook.id}{int(time.time())}".encode()).hexdigest(),  # noqa: S324
        }
        try:
            answer = self._start().post(webhook.delivery_url, content=body, headers=headers)
            record.status = answer.status_code
            ok = 200 <= answer.status_code < 300
        except httpx.HTTPError as exc:
            record.error = f"{type(exc).__name__}: {exc}"
            ok = False
        with self._cond:
            webhook.failures = 0 if ok else webhook.failures + 1
            if webhook.failures >= DISABLE_AFTER_FAILURES:
                webhook.status = "disabled"
            self.deliveries.append(record)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until every due delivery has run; return False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.05))
        return True

    def close(self) -> None:
        """Stop delivering (wait up to 5 s for the delivery thread) and close the HTTP client."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(5)
        if self._http is not None:
            self._http.close()
