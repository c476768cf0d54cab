"""Every way a store fails reaches the caller as one typed StoreError naming store and request."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from shop.woocommerce import (
    AuthenticationError,
    InvalidResponseError,
    NotFoundError,
    RateLimitedError,
    StoreConfig,
    TransientError,
    build_client,
)
from tests.support.simulated_store import BEFORE_ALL, fill


def read_all(client):
    return [order for page in client.iter_modified_orders(BEFORE_ALL) for order in page.orders]


def test_a_wrong_secret_is_an_authentication_error_that_is_never_retried(server):
    config = server.config(secret="cs_wrong_and_secret")
    with build_client(config) as client, pytest.raises(AuthenticationError) as caught:
        read_all(client)
    error = caught.value
    assert error.retryable is False
    assert error.status == 401
    assert error.code == "woocommerce_rest_authentication_error"
    assert "Consumer secret is invalid." in str(error)
    assert str(error).startswith("simulated-shop: GET http://127.0.0.1:")
    assert "cs_wrong_and_secret" not in str(error)


def test_an_unknown_key_is_an_authentication_error(server):
    with build_client(server.config(key="ck_nobody")) as client, pytest.raises(AuthenticationError, match="key is inv"):
        client.get_order(1)


def test_a_401_from_the_store_midway_is_an_authentication_error(server):
    fill(server.store, 150)
    with build_client(server.config()) as client:
        pages = client.iter_modified_orders(BEFORE_ALL)
        next(pages)
        server.store.inject("unauthorized")
        with pytest.raises(AuthenticationError, match="Consumer secret is invalid"):
            next(pages)


def test_429_is_rate_limited_with_retry_after_in_seconds(server):
    server.store.inject("rate_limit", retry_after="42")
    with build_client(server.config()) as client, pytest.raises(RateLimitedError) as caught:
        read_all(client)
    assert caught.value.retry_after == 42.0
    assert caught.value.retryable is True
    assert isinstance(caught.value, TransientError)


def test_503_with_retry_after_as_an_http_date_is_rate_limited(server):
    when = datetime.now(UTC) + timedelta(seconds=120)
    server.store.inject("status", status=503, retry_after=format_datetime(when, usegmt=True))
    with build_client(server.config()) as client, pytest.raises(RateLimitedError) as caught:
        read_all(client)
    assert 100 < caught.value.retry_after <= 120


@pytest.mark.parametrize("status", [500, 502, 504])
def test_server_errors_are_transient(server, status):
    server.store.inject("status", status=status)
    with build_client(server.config()) as client, pytest.raises(TransientError) as caught:
        read_all(client)
    assert caught.value.status == status
    assert not isinstance(caught.value, RateLimitedError)


def test_a_store_slower_than_the_timeout_is_transient(server):
    server.store.inject("slow", delay=1.5)
    with build_client(server.config(timeout=0.3)) as client, pytest.raises(TransientError, match="timed out"):
        read_all(client)


def test_an_unreachable_store_is_transient():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = StoreConfig(base_url=f"http://127.0.0.1:{port}", key="ck_x", secret="cs_x", allow_http=True)
    with build_client(config) as client, pytest.raises(TransientError, match="ConnectError"):
        client.get_order(1)


def test_a_dropped_connection_is_transient(server):
    server.store.inject("drop")
    with build_client(server.config()) as client, pytest.raises(TransientError):
        read_all(client)


def test_a_body_cut_off_before_its_length_is_transient(server):
    fill(server.store, 3)
    server.store.inject("truncate")
    with build_client(server.config()) as client, pytest.raises(TransientError):
        read_all(client)


def test_malformed_json_is_an_invalid_response_with_a_sample(server):
    fill(server.store, 3)
    server.store.inject("malformed")
    with build_client(server.config()) as client, pytest.raises(InvalidResponseError, match="not JSON") as caught:
        read_all(client)
    assert caught.value.sample.startswith("<br />\n<b>Warning</b>: Undefined array key")
    assert caught.value.retryable is False


def test_a_json_object_where_a_list_belongs_is_an_invalid_response(server):
    with build_client(server.config()) as client:
        response = client.request("GET", "/wp-json/")
        with pytest.raises(InvalidResponseError, match="expected a JSON list, got dict"):
            client.decode(response, list)


def test_a_rejected_parameter_is_an_invalid_response_naming_it(server):
    with build_client(server.config()) as client, pytest.raises(InvalidResponseError) as caught:
        client.request("GET", "/wp-json/wc/v3/orders", params={"per_page": 101})
    assert caught.value.status == 400
    assert caught.value.code == "rest_invalid_param"
    assert "per_page" in str(caught.value)


def test_a_missing_order_is_not_found(server):
    with build_client(server.config()) as client, pytest.raises(NotFoundError) as caught:
        client.get_order(999999)
    assert caught.value.code == "woocommerce_rest_shop_order_invalid_id"
    assert "/orders/999999" in str(caught.value)
