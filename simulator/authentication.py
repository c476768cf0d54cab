"""Authenticate REST requests the way WooCommerce's WC_REST_Authentication does.

Over https: Basic auth with the consumer key and secret, or the same two in the query
string (checked first). Over http: OAuth 1.0a one-legged only, HMAC-SHA1 or HMAC-SHA256
with key `consumer_secret&`, a timestamp no older than 15 minutes, a nonce never reused.
Signatures are verified with oauthlib's reference implementation of RFC 5849.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import threading
import time
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlsplit

from oauthlib.oauth1.rfc5849 import signature

from simulator.errors import ApiError
from simulator.store import ApiKey, SimulatedStore

TIMESTAMP_WINDOW = 15 * 60
REQUIRED_PARAMS = ("oauth_consumer_key", "oauth_timestamp", "oauth_nonce", "oauth_signature", "oauth_signature_method")
ERROR_CODE = "woocommerce_rest_authentication_error"


def auth_error(message: str) -> ApiError:
    """Return WooCommerce's 401 for a refused credential, with its error code and `message`."""
    return ApiError(401, ERROR_CODE, message)


class NonceBook:
    """Remember each key's nonces for the timestamp window, so none is accepted twice."""

    def __init__(self) -> None:
        self._seen: dict[str, dict[str, float]] = {}
        self._lock = threading.Lock()

    def use(self, key: str, nonce: str, timestamp: int) -> bool:
        """Record an OAuth 1.0a nonce of `key`; return False if it was used within the timestamp window."""
        now = time.time()
        with self._lock:
            used = self._seen.setdefault(key, {})
            for old in [n for n, at in used.items() if at < now - TIMESTAMP_WINDOW]:
                del used[old]
            if nonce in used:
                return False
            used[nonce] = float(timestamp)
            return True


def authenticate(
    store: SimulatedStore, nonces: NonceBook, method: str, path: str, headers: dict[str, str]
) -> ApiKey | None:
    """Return the request's API key, None for an anonymous request, or raise a 401 ApiError."""
    query = dict(parse_qsl(urlsplit(path).query, keep_blank_values=True))
    if store.https:
        key = _basic(store, query, headers)
        if key:
            return key
    if "oauth_consumer_key" in query or headers.get("Authorization", "").startswith("OAuth "):
        return _oauth1(store, nonces, method, path, headers)
    return None


def _basic(store: SimulatedStore, query: dict[str, str], headers: dict[str, str]) -> ApiKey | None:
    if "consumer_key" in query and "consumer_secret" in query:
        user, password = query["consumer_key"], query["consumer_secret"]
    else:
        header = headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return None
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise auth_error("Consumer key is invalid.") from None
    key = store.authenticate_key(user)
    if key is None:
        raise auth_error("Consumer key is invalid.")
    if not hmac.compare_digest(key.secret, password):
        raise auth_error("Consumer secret is invalid.")
    return key


def _oauth1(store: SimulatedStore, nonces: NonceBook, method: str, path: str, headers: dict[str, str]) -> ApiKey:
    parts = urlsplit(path)
    oauth_headers = {"Authorization": headers["Authorization"]} if "Authorization" in headers else None
    params = signature.collect_parameters(uri_query=parts.query, headers=oauth_headers, exclude_oauth_signature=False)
    values = dict(params)
    for required in REQUIRED_PARAMS:
        if not values.get(required):
            raise auth_error(f"Missing OAuth parameter {required}")
    key = store.authenticate_key(values["oauth_consumer_key"])
    if key is None:
        raise auth_error("Consumer key is invalid.")
    method_name = values["oauth_signature_method"]
    if method_name not in ("HMAC-SHA1", "HMAC-SHA256"):
        raise auth_error("Invalid signature - signature method is invalid.")
    # The base string URI is the site's home URL (a site in a folder keeps its folder):
    # https only when the site is served so.
    scheme = "https" if store.https else "http"
    home = urlsplit(store.base_url)
    base_uri = signature.base_string_uri(f"{scheme}://{home.netloc}{home.path.rstrip('/')}{parts.path}")
    unsigned = [(name, value) for name, value in params if name != "oauth_signature"]
    base_string = signature.signature_base_string(method, base_uri, signature.normalize_parameters(unsigned))
    sign = (
        signature.sign_hmac_sha1_with_client if method_name == "HMAC-SHA1" else signature.sign_hmac_sha256_with_client
    )
    # One-legged: no token, so the HMAC key is `consumer_secret&`.
    expected = sign(base_string, SimpleNamespace(client_secret=key.secret, resource_owner_secret=""))
    if not signature.safe_string_equals(expected, values["oauth_signature"]):
        raise auth_error("Invalid signature - provided signature does not match.")
    try:
        timestamp = int(values["oauth_timestamp"])
    except ValueError:
        raise auth_error("Invalid timestamp.") from None
    store_now = store.now().timestamp()
    if abs(store_now - timestamp) > TIMESTAMP_WINDOW:
        raise auth_error("Invalid timestamp.")
    if not nonces.use(key.key, values["oauth_nonce"], timestamp):
        raise auth_error("Invalid nonce - nonce has already been used.")
    return key
