"""The ways WooCommerce accepts REST API keys, as httpx auth objects.

OAuth 1.0a signing is oauthlib's: WooCommerce's server side builds the standard base
string (sorted, RFC 3986-encoded parameters; key = consumer secret + "&").
"""

from __future__ import annotations

from collections.abc import Generator

import httpx
from oauthlib import oauth1

from shop.woocommerce.config import StoreConfig

SIGNATURE_METHODS = {"HMAC-SHA1": oauth1.SIGNATURE_HMAC_SHA1, "HMAC-SHA256": oauth1.SIGNATURE_HMAC_SHA256}


class OAuth1QueryAuth(httpx.Auth):
    """Sign each request with one-legged OAuth 1.0a, parameters in the query string."""

    def __init__(self, key: str, secret: str, signature_method: str = "HMAC-SHA256") -> None:
        self._signer = oauth1.Client(
            key,
            client_secret=secret,
            signature_method=SIGNATURE_METHODS[signature_method],
            signature_type=oauth1.SIGNATURE_TYPE_QUERY,
        )

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Sign the request with OAuth 1.0a in its query string (what WooCommerce asks over plain http)."""
        # JSON bodies are not part of an OAuth 1.0a signature; only form bodies would be.
        uri, _headers, _body = self._signer.sign(str(request.url), http_method=request.method)
        request.url = httpx.URL(uri)
        yield request


class QueryStringAuth(httpx.Auth):
    """Send the keys as `consumer_key` / `consumer_secret` query parameters (https only)."""

    def __init__(self, key: str, secret: str) -> None:
        self._params = {"consumer_key": key, "consumer_secret": secret}

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Send the consumer key and secret in the query string (for hosts that strip Authorization)."""
        request.url = request.url.copy_merge_params(self._params)
        yield request


def rest_auth(config: StoreConfig) -> httpx.Auth:
    """Return the auth object this store's REST requests need."""
    mode = config.rest_auth
    if mode == "oauth1":
        return OAuth1QueryAuth(config.key, config.secret, config.signature_method)
    if mode == "query":
        return QueryStringAuth(config.key, config.secret)
    return httpx.BasicAuth(config.key, config.secret)
