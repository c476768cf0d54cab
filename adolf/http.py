"""The one way ADOLF calls out over HTTP: httpx with timeouts, no redirects, typed errors.

Every transport and client builds on `new_client` and `send`. Whether a failure is worth
retrying is decided here, once: connection errors, timeouts, 408, 429 and 5xx are
retryable; a refused certificate and any other 4xx are permanent. Callers map these to
their own domain errors. What TLS trusts is adolf.tls's.
"""

from __future__ import annotations

import email.utils
import ssl
from datetime import UTC, datetime

import httpx

from adolf.certificates import CertificateProblem, explain, verification_error
from adolf.tls import tls_context

USER_AGENT = "ADOLF/1.0 (+order-event hub)"
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


class HttpError(Exception):
    """A failed HTTP exchange; `permanent` says whether trying again can help."""

    permanent = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.response = response


class TransientHttpError(HttpError):
    """Unreachable, timed out, or a server-side failure: retry with backoff."""


class RateLimitedHttpError(TransientHttpError):
    """The server asked us to slow down (429 / 503), maybe saying for how long."""


class PermanentHttpError(HttpError):
    """The request itself is wrong (4xx): retrying it cannot succeed."""

    permanent = True


class InvalidRequestError(PermanentHttpError):
    """The request cannot be sent as built, so it never left: an unusable URL, an illegal header value.

    `in_url`: the URL is what is wrong (an unsupported scheme, a malformed address),
    rather than something built from the data being sent.
    """

    def __init__(self, message: str, *, in_url: bool) -> None:
        super().__init__(message)
        self.in_url = in_url


class CertificateHttpError(PermanentHttpError):
    """The server's TLS certificate was refused; `problem` says which problem it is and how to fix it.

    Permanent: the same certificate is refused again until someone renews, reissues or
    trusts it.
    """

    def __init__(self, request: httpx.Request, problem: CertificateProblem, error: ssl.SSLCertVerificationError):
        super().__init__(f"{describe(request)}: TLS: {problem}")
        self.problem = problem
        # What was asked, OpenSSL's own error and where, for callers that explain it their way (a store).
        self.request_line = describe(request)
        self.error, self.host, self.port = error, request.url.host, request.url.port or 443


def new_client(
    *,
    base_url: str = "",
    timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    auth: httpx.Auth | tuple[str, str] | None = None,
    headers: dict[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
    extra_ca: str = "",
) -> httpx.Client:
    """Return an httpx client that never follows redirects and always times out.

    `extra_ca` (PEM) is trusted by this client only, on top of the shared trust (adolf.tls).
    """
    return httpx.Client(
        base_url=base_url,
        timeout=timeout,
        auth=auth,
        headers={"User-Agent": USER_AGENT, **(headers or {})},
        follow_redirects=False,
        verify=tls_context(extra_ca),
        transport=transport,
    )


def describe(request: httpx.Request) -> str:
    """Name a request for messages: method and URL without its query or user info (either may hold keys)."""
    return f"{request.method} {request.url.copy_with(query=None, userinfo=b'')}"


def send(client: httpx.Client, method: str, url: str, **kwargs: object) -> httpx.Response:
    """Send one request; return a 2xx response or raise a typed HttpError.

    A request that cannot be built or sent as it is (InvalidRequestError) is permanent:
    it would fail the same way on every attempt.
    """
    try:
        request = client.build_request(method, url, **kwargs)  # type: ignore[arg-type]
    except httpx.InvalidURL as exc:
        # Neither message quotes the URL or the header: either may carry a token.
        raise InvalidRequestError(f"{method}: the URL is not usable", in_url=True) from exc
    except (UnicodeEncodeError, ValueError, TypeError) as exc:
        problem = f"{method}: the request cannot be built ({type(exc).__name__})"
        raise InvalidRequestError(problem, in_url=False) from exc
    try:
        response = client.send(request)
    except httpx.UnsupportedProtocol as exc:
        raise InvalidRequestError(f"{describe(request)}: unsupported URL scheme", in_url=True) from exc
    except httpx.LocalProtocolError as exc:
        problem = f"{describe(request)} cannot be sent as built (an illegal header)"
        raise InvalidRequestError(problem, in_url=False) from exc
    except httpx.TimeoutException as exc:
        raise TransientHttpError(f"{describe(request)} timed out ({type(exc).__name__})") from exc
    except httpx.TransportError as exc:
        refused = verification_error(exc)
        if refused is not None:
            problem = explain(refused, request.url.host, request.url.port or 443)
            raise CertificateHttpError(request, problem, refused) from exc
        raise TransientHttpError(f"{describe(request)} failed: {type(exc).__name__}: {exc}") from exc
    raise_for_status(response)
    return response


def raise_for_status(response: httpx.Response) -> None:
    """Raise the typed error a 3xx/4xx/5xx response means; do nothing for 1xx/2xx."""
    status = response.status_code
    if status < 300:
        return
    if status < 400:
        # Redirects are not followed: a moved endpoint is a configuration error to fix. The
        # target's query is left out of the message: it may echo keys sent in ours.
        location = redirect_target(response) or "?"
        raise PermanentHttpError(
            f"{describe(response.request)} redirected (HTTP {status}) to {location}; configure that URL instead",
            status=status,
            response=response,
        )
    message = f"{describe(response.request)} answered HTTP {status}"
    if status in (429, 503):
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        raise RateLimitedHttpError(message, status=status, retry_after=retry_after, response=response)
    if status in RETRYABLE_STATUSES or status >= 500:
        raise TransientHttpError(message, status=status, response=response)
    raise PermanentHttpError(message, status=status, response=response)


def redirect_target(response: httpx.Response) -> str:
    """Return where a 3xx answer points, absolute and without its query; "" when it names nowhere."""
    location = response.headers.get("Location", "").strip()
    if not location:
        return ""
    try:
        target = response.request.url.join(location)
    except (httpx.InvalidURL, ValueError):
        return location.split("?", 1)[0]
    return str(target.copy_with(query=None, fragment=None))


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Return Retry-After in seconds: it is either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


def server_date(response: httpx.Response) -> datetime | None:
    """Return the server's clock from the Date header, in UTC."""
    try:
        when = email.utils.parsedate_to_datetime(response.headers.get("Date", ""))
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
