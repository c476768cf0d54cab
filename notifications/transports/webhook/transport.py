"""A JSON POST signed with HMAC-SHA256, carrying an idempotency key; redirects are not followed."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import TYPE_CHECKING

import httpx
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from adolf.headers import http_header_value
from adolf.http import HttpError, new_client, send
from notifications.transports.transport import Setting, Transport, http_failure

if TYPE_CHECKING:
    from notifications.models import Notification

SIGNATURE_HEADER = "X-Adolf-Signature"
TIMESTAMP_HEADER = "X-Adolf-Timestamp"
EVENT_HEADER = "X-Adolf-Event"
IDEMPOTENCY_HEADER = "Idempotency-Key"
DEFAULT_TIMEOUT_SECONDS = 10.0


def clean_url(value: str) -> str:
    URLValidator(schemes=["http", "https"])(value)
    return value


def clean_secret(value: str) -> str:
    if len(value) < 16:
        raise ValidationError(_("Use at least 16 random characters."))
    return value


def clean_timeout(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise ValidationError(_("Enter a number of seconds.")) from None
    if not 0 < seconds <= 60:
        raise ValidationError(_("Enter a number of seconds between 0 and 60."))
    return seconds


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Return the signature header value: HMAC-SHA256 over "<timestamp>.<body>", hex."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class WebhookTransport(Transport):
    kind = "webhook"
    settings = (
        Setting("url", _("URL"), secret=True, clean=clean_url),
        Setting(
            "secret",
            _("signing secret"),
            secret=True,
            clean=clean_secret,
            help_text=_("Receivers check X-Adolf-Signature = sha256=HMAC-SHA256(secret, timestamp + '.' + body)."),
        ),
        Setting("timeout", _("timeout, seconds"), required=False, clean=clean_timeout, help_text=_("Default: 10.")),
    )

    _client: httpx.Client | None = None

    def _new_client(self) -> httpx.Client:
        seconds = float(self.config.get("timeout") or DEFAULT_TIMEOUT_SECONDS)
        return new_client(timeout=httpx.Timeout(seconds, connect=min(seconds, 5.0)))

    def __enter__(self) -> WebhookTransport:
        # One client for the block: consecutive posts reuse its kept-alive connection.
        self._client = self._new_client()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def send(self, notification: Notification, *, idempotency_key: str) -> int | None:
        body = json.dumps(notification.as_payload(), ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            # One line of ASCII (percent-encoded past it); the body carries the exact value.
            EVENT_HEADER: http_header_value(notification.event_type),
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(self.config["secret"], timestamp, body),
            IDEMPOTENCY_HEADER: idempotency_key,
        }
        client = self._client or self._new_client()
        try:
            response = send(client, "POST", self.config["url"], content=body, headers=headers)
        except HttpError as exc:
            # The URL may carry a token (Slack-style hooks): name the status, never the URL.
            raise http_failure("Webhook", exc) from exc
        finally:
            if client is not self._client:
                client.close()
        return response.status_code
