"""Typed errors shared by every store client: what went wrong, at which store, for which request.

Messages name the store and the request (method and URL without its query string, where
query-string authentication keeps the consumer secret) and never a key or a secret.
`retryable` is decided here, once: authentication and bad responses are not worth
retrying until someone changes something; rate limits and transient failures are.
"""

from __future__ import annotations

import json

import httpx

from adolf.http import HttpError, RateLimitedHttpError, TransientHttpError, describe

SAMPLE_LENGTH = 300


class StoreError(Exception):
    """A store call failed; carries the store's name and the request, never a secret."""

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        store: str,
        request: str = "",
        status: int | None = None,
        code: str = "",
    ) -> None:
        self.message = message
        self.store = store
        self.request = request
        self.status = status
        self.code = code
        super().__init__(f"{store}: {request}: {message}" if request else f"{store}: {message}")


class AuthenticationError(StoreError):
    """The store refused our credentials or their permissions (401/403): fix the key, don't retry."""


class NotFoundError(StoreError):
    """The store has no such thing (404): an order id, a webhook, or the endpoint itself."""


class InvalidResponseError(StoreError):
    """The store answered something we cannot use: not JSON, the wrong shape, a rejected parameter."""

    def __init__(self, message: str, *, sample: str = "", **kwargs: object) -> None:
        self.sample = sample[:SAMPLE_LENGTH]
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


class UnreadableOrderError(InvalidResponseError):
    """The store sent an order that cannot be parsed (shop.woocommerce.orders): set it aside, not the store."""

    def __init__(self, message: str, *, order_id: int, **kwargs: object) -> None:
        self.order_id = order_id
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


class TransientError(StoreError):
    """Unreachable, timed out, or a server-side failure: try again later with backoff."""

    retryable = True


class RateLimitedError(TransientError):
    """The store (or its host's WAF) asked us to slow down; `retry_after` is in seconds if it said."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


def body_sample(response: httpx.Response) -> str:
    """Return the start of a response body for an error report."""
    return response.content[:SAMPLE_LENGTH].decode("utf-8", errors="replace")


def wp_error(response: httpx.Response) -> tuple[str, str]:
    """Return (code, message) of a WordPress error body `{"code", "message", "data"}`, or blanks."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    return str(body.get("code") or ""), str(body.get("message") or "")


def from_http_error(exc: HttpError, *, store: str) -> StoreError:
    """Translate an adolf.http error into the store error it means."""
    response = exc.response
    if response is None:
        # No answer at all: connection refused, DNS, timeout.
        return TransientError(str(exc), store=store)
    request = describe(response.request)
    status = response.status_code
    code, detail = wp_error(response)
    said = f"HTTP {status}" + (f" {code}: {detail}" if code else "")
    common = {"store": store, "request": request, "status": status, "code": code}
    if isinstance(exc, RateLimitedHttpError):
        wait = f"; retry after {exc.retry_after:.0f} s" if exc.retry_after is not None else ""
        return RateLimitedError(f"rate limited ({said}){wait}", retry_after=exc.retry_after, **common)
    if isinstance(exc, TransientHttpError):
        return TransientError(f"the store failed ({said})", **common)
    if status in (401, 403):
        return AuthenticationError(f"authentication refused ({said})", **common)
    if status == 404:
        return NotFoundError(f"not found ({said})", **common)
    if 300 <= status < 400:
        return InvalidResponseError(str(exc).split(": ", 1)[-1], **common)
    return InvalidResponseError(f"request rejected ({said})", sample=body_sample(response), **common)
