"""Over plain http the REST client signs with OAuth 1.0a, and the simulator verifies like WooCommerce."""

from __future__ import annotations

import httpx
import pytest

from shop.woocommerce import AuthenticationError, build_client
from shop.woocommerce.auth import OAuth1QueryAuth
from tests.support.simulated_store import BEFORE_ALL, fill


@pytest.mark.parametrize("method", ["HMAC-SHA1", "HMAC-SHA256"])
def test_signed_requests_over_plain_http_are_accepted(plain_http_server, method):
    ids = fill(plain_http_server.store, 120)
    requests = []
    config = plain_http_server.config(signature_method=method)
    assert config.rest_auth == "oauth1"
    with build_client(config) as client:
        client._http.event_hooks["request"].append(requests.append)
        seen = [order.id for page in client.iter_modified_orders(BEFORE_ALL) for order in page.orders]
        assert client.get_order(ids[0]).id == ids[0]
    assert seen == ids
    assert all(request.url.params["oauth_signature_method"] == method for request in requests)
    assert all("Authorization" not in request.headers for request in requests)
    # Every request carries its own nonce: the store refuses any nonce it has seen.
    assert len({request.url.params["oauth_nonce"] for request in requests}) == len(requests)


def test_a_signature_made_with_the_wrong_secret_does_not_match(plain_http_server):
    with build_client(plain_http_server.config(secret="cs_not_the_secret")) as client:
        with pytest.raises(AuthenticationError, match="provided signature does not match") as caught:
            client.get_order(1)
    assert "cs_not_the_secret" not in str(caught.value)


def test_a_replayed_request_is_refused_for_its_used_nonce(plain_http_server):
    key = plain_http_server.store.rw_key
    signing = httpx.Client(auth=OAuth1QueryAuth(key.key, key.secret))
    request = next(
        signing.auth.auth_flow(signing.build_request("GET", f"{plain_http_server.url}/wp-json/wc/v3/orders"))
    )
    first = httpx.get(str(request.url))
    replay = httpx.get(str(request.url))
    assert first.status_code == 200
    assert replay.status_code == 401
    assert replay.json()["message"] == "Invalid nonce - nonce has already been used."


def test_a_timestamp_outside_fifteen_minutes_of_the_stores_clock_is_refused(plain_http_server):
    plain_http_server.store.set_clock_offset(16 * 60)
    with (
        build_client(plain_http_server.config()) as client,
        pytest.raises(AuthenticationError, match="Invalid timestamp"),
    ):
        client.get_order(1)


def test_an_unsupported_signature_method_is_refused(plain_http_server):
    key = plain_http_server.store.rw_key
    params = {
        "oauth_consumer_key": key.key,
        "oauth_signature_method": "PLAINTEXT",
        "oauth_timestamp": "1",
        "oauth_nonce": "n",
        "oauth_signature": f"{key.secret}&",
    }
    response = httpx.get(f"{plain_http_server.url}/wp-json/wc/v3/orders", params=params)
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid signature - signature method is invalid."


def test_basic_auth_over_plain_http_is_ignored_as_woocommerce_ignores_it(plain_http_server):
    with build_client(plain_http_server.config(auth="basic")) as client, pytest.raises(AuthenticationError) as caught:
        client.get_order(1)
    assert caught.value.code == "woocommerce_rest_cannot_view"


def test_query_string_auth_works_where_the_authorization_header_is_stripped(server):
    fill(server.store, 2)
    requests = []
    with build_client(server.config(auth="query")) as client:
        client._http.event_hooks["request"].append(requests.append)
        assert len(next(iter(client.iter_modified_orders(BEFORE_ALL))).orders) == 2
    assert requests[0].url.params["consumer_key"] == server.store.rw_key.key
    assert "Authorization" not in requests[0].headers


def test_query_string_auth_errors_never_show_the_secret(server):
    with build_client(server.config(auth="query", secret="cs_leak_me_not")) as client:
        with pytest.raises(AuthenticationError) as caught:
            client.get_order(1)
    assert "cs_leak_me_not" not in str(caught.value)
    assert "consumer_secret" not in str(caught.value)
