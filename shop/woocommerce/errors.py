"""Typed errors shared by every store client: what went wrong, at which store, for which request.

Messages name the store and the request (method and URL without its query string, where
query-string authentication keeps the consumer secret) and never a key or a secret.
`retryable` is decided here, once: authentication and bad responses are not worth
retrying until someone changes something; rate limits and transient failures are.
A message is worded in the language active when it is raised (LANGUAGE_CODE in a worker,
the request's in the admin): operators read it on the store's page and in Test connection.
"""

from __future__ import annotations

import json

import httpx
from django.utils.translation import gettext as _

from adolf.certificates import STORE, CertificateProblem, explain
from adolf.http import CertificateHttpError, HttpError, RateLimitedHttpError, TransientHttpError, describe

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


class CertificateError(StoreError):
    """The store's TLS certificate was refused; `problem` names it (self-signed, expired, wrong host, unknown CA).

    Not retryable: the same certificate is refused until someone renews, reissues or trusts it.
    """

    def __init__(self, message: str, *, problem: CertificateProblem, **kwargs: object) -> None:
        self.problem = problem
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


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


# WooCommerce answers `woocommerce_rest_cannot_view` when it saw no valid credentials at all:
# with 401 the request was anonymous (WordPress's rest_authorization_required_code()), with
# 403 the key's user was known but lacks the capability.
ANONYMOUS_CODE = "woocommerce_rest_cannot_view"
# WooCommerce's own MCP endpoint refuses a request that did not arrive over TLS, before it
# looks at the key (WooCommerceRestTransport::validate_request, WooCommerce 10.3 on).
INSECURE_TRANSPORT_CODE = "insecure_transport"


def https_only() -> str:
    """Say that WooCommerce's MCP endpoint answers only over https, and what to do (active language)."""
    return _(
        "WooCommerce's MCP endpoint answers only over https: give the store its https address "
        "(over plain http WooCommerce refuses it unless the store allows that with the filter "
        "woocommerce_mcp_allow_insecure_transport)"
    )


def refusal_hint(status: int, code: str, auth_mode: str | None) -> str:
    """Return what a 401/403 means for how the keys were sent, or "" when the store's own words suffice.

    Worded in the active language: the operator reads it (Test connection, the store's last error).
    """
    if code == INSECURE_TRANSPORT_CODE:
        return https_only()
    if code != ANONYMOUS_CODE:
        return ""
    if status == 403:
        return _(
            "the key's WordPress user may not read orders: make the key for a user with the "
            "Shop manager or Administrator role"
        )
    if auth_mode == "basic":
        return _(
            "the store saw the request as anonymous though the keys were in the Authorization header: "
            "its host strips that header — tick “keys in the query string” for this store "
            "(or have the host pass the header on)"
        )
    if auth_mode in ("query", "oauth1"):
        return _("the store saw the request as anonymous though the keys were in the query string: a proxy drops them")
    return ""


def from_http_error(exc: HttpError, *, store: str, auth_mode: str | None = None) -> StoreError:
    """Translate an adolf.http error into the store error it means.

    `auth_mode` (how the keys were sent: basic, query, oauth1) lets a refusal say what it means.
    """
    if isinstance(exc, CertificateHttpError):
        # Said for a store: the fix names the store's own CA certificate.
        problem = explain(exc.error, exc.host, exc.port, peer=STORE)
        return CertificateError(f"TLS: {problem}", problem=problem, store=store, request=exc.request_line)
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
        if exc.retry_after is None:
            message = _("rate limited (%(said)s)") % {"said": said}
        else:
            message = _("rate limited (%(said)s); retry after %(seconds).0f s") % {
                "said": said,
                "seconds": exc.retry_after,
            }
        return RateLimitedError(message, retry_after=exc.retry_after, **common)
    if isinstance(exc, TransientHttpError):
        return TransientError(_("the store failed (%(said)s)") % {"said": said}, **common)
    if status in (401, 403):
        hint = refusal_hint(status, code, auth_mode)
        if hint:
            message = _("authentication refused (%(said)s): %(hint)s") % {"said": said, "hint": hint}
        else:
            message = _("authentication refused (%(said)s)") % {"said": said}
        return AuthenticationError(message, **common)
    if status == 404:
        return NotFoundError(_("not found (%(said)s)") % {"said": said}, **common)
    if 300 <= status < 400:
        return InvalidResponseError(str(exc).split(": ", 1)[-1], **common)
    return InvalidResponseError(
        _("request rejected (%(said)s)") % {"said": said}, sample=body_sample(response), **common
    )
