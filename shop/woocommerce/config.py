"""How to reach one store: everything a client needs, validated, with no model behind it.

The Store model (a later issue) keeps these values, encrypted where secret, and builds a
client with `build_client(StoreConfig(...))`.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field, replace
from typing import Literal
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from adolf.certificates import CertificateFileError, read_ca_certificates
from adolf.tls import normalize_pem

ApiKind = Literal["rest", "mcp-legacy", "mcp-adapter"]
AuthMode = Literal["auto", "basic", "query", "oauth1"]
SignatureMethod = Literal["HMAC-SHA1", "HMAC-SHA256"]
API_KINDS: tuple[str, ...] = ("rest", "mcp-legacy", "mcp-adapter")


class StoreConfigError(ValueError):
    """The store's settings cannot work; the message says which one and why, in the active language."""


@dataclass(frozen=True)
class StoreConfig:
    """One store's address, API flavour and credentials.

    `key` / `secret` are the REST consumer key and secret (`ck_…` / `cs_…`) for "rest" and
    "mcp-legacy", or the WordPress user name and application password for "mcp-adapter".
    `rest_key` / `rest_secret` (optional, "mcp-adapter" only) are REST keys of the same
    store, for what the adapter's thin orders lack: refunds, payment dates, customers,
    single orders, webhooks.
    """

    base_url: str
    key: str = field(repr=False)
    secret: str = field(repr=False)
    api: ApiKind = "rest"
    name: str = ""
    # Some hosts strip the Authorization header; WooCommerce then accepts the keys in the query.
    query_string_auth: bool = False
    # Plain http is refused unless allowed: there WooCommerce only accepts OAuth 1.0a.
    allow_http: bool = False
    auth: AuthMode = "auto"
    signature_method: SignatureMethod = "HMAC-SHA256"
    timeout: float = 20.0
    per_page: int = 100
    # For a store that ignores `modified_after` (it lists its whole history every time): list
    # ids and modification dates only (`_fields`), then fetch whole just the orders changed.
    lean_listing: bool = False
    # PEM of a CA (or the store's own self-signed certificate) trusted for this store only,
    # on top of the OS trust store and SSL_CERT_FILE / SSL_CERT_DIR (adolf.tls).
    ca_certificate: str = field(default="", repr=False)
    rest_key: str = field(default="", repr=False)
    rest_secret: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", self.base_url.strip().rstrip("/"))
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise StoreConfigError(
                _("base URL %(url)s must look like https://shop.example.com") % {"url": repr(self.base_url)}
            )
        if parts.query or parts.fragment:
            raise StoreConfigError(_("base URL must not carry a query string or a fragment"))
        if "@" in parts.netloc:
            # It would be stored in clear and shown; the keys have fields of their own, encrypted.
            raise StoreConfigError(
                _("base URL must not carry a user name or password: give them as the key and secret")
            )
        if parts.scheme == "http" and not self.allow_http:
            raise StoreConfigError(
                _(
                    "%(url)s is plain http: use https, or allow http explicitly "
                    "(REST then signs every request with OAuth 1.0a, as WooCommerce requires)"
                )
                % {"url": self.base_url}
            )
        if parts.scheme == "http" and self.api != "rest" and not _is_loopback(parts.hostname or ""):
            # Over http only REST signs its requests (OAuth 1.0a); MCP sends the API key or the
            # application password as it is, and WooCommerce's own MCP endpoint refuses http.
            raise StoreConfigError(
                _(
                    "%(url)s is plain http: MCP would send its credentials in clear there, so it must use "
                    "https (plain http is allowed for MCP only to a store on this machine)"
                )
                % {"url": self.base_url}
            )
        if self.api not in API_KINDS:
            raise StoreConfigError(
                _("API kind %(api)s is not one of %(kinds)s") % {"api": repr(self.api), "kinds": ", ".join(API_KINDS)}
            )
        if not self.key or not self.secret:
            raise StoreConfigError(_("both the key and the secret are required"))
        if bool(self.rest_key) != bool(self.rest_secret):
            raise StoreConfigError(_("the REST consumer key and secret go together: give both, or neither"))
        if self.rest_key and self.api != "mcp-adapter":
            raise StoreConfigError(
                _("separate REST keys are for MCP adapter stores; this store's own keys are REST keys already")
            )
        if not 1 <= self.per_page <= 100:
            raise StoreConfigError(_("per_page must be between 1 and 100 (WooCommerce's bounds)"))
        if self.timeout <= 0:
            raise StoreConfigError(_("timeout must be positive"))
        if not self.name:
            object.__setattr__(self, "name", parts.netloc)
        if self.ca_certificate.strip():
            if parts.scheme != "https":
                raise StoreConfigError(_("a CA certificate only applies to an https store: remove it or use https"))
            try:
                # Expiry is not checked here: an expired CA is refused on save, and a poll
                # then says the certificate expired, which names the problem better.
                read_ca_certificates(self.ca_certificate, check_expiry=False)
            except CertificateFileError as exc:
                raise StoreConfigError(_("CA certificate: %(error)s") % {"error": exc}) from None
            object.__setattr__(self, "ca_certificate", normalize_pem(self.ca_certificate))

    @property
    def is_https(self) -> bool:
        """Whether the store is reached over https."""
        return self.base_url.startswith("https://")

    def rest_config(self) -> StoreConfig | None:
        """Return the config of this store's REST API, or None when there are no REST keys.

        "rest" and "mcp-legacy" stores authenticate with REST keys already; an "mcp-adapter"
        store has them only if `rest_key` / `rest_secret` are set.
        """
        if self.api == "rest":
            return self
        key, secret = (self.rest_key, self.rest_secret) if self.api == "mcp-adapter" else (self.key, self.secret)
        if not key:
            return None
        return replace(self, api="rest", key=key, secret=secret, rest_key="", rest_secret="")

    @property
    def rest_auth(self) -> AuthMode:
        """Return how REST requests authenticate: Basic over https, OAuth 1.0a over http."""
        if self.auth != "auto":
            return self.auth
        if not self.is_https:
            return "oauth1"
        return "query" if self.query_string_auth else "basic"


def _is_loopback(host: str) -> bool:
    """Whether a URL's host is this machine: `localhost` or a loopback address."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
