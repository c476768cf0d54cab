"""The one HTTP wrapper: timeouts, no redirects, and one place deciding what is retryable."""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import httpx
import pytest

from adolf.http import (
    PermanentHttpError,
    RateLimitedHttpError,
    TransientHttpError,
    new_client,
    parse_retry_after,
    send,
    server_date,
)
from adolf.retry import backoff_delay
from tests.support.loopback import LoopbackServer, Reply


def test_a_2xx_answer_is_returned_with_the_servers_clock():
    with LoopbackServer(Reply(200, {"ok": True}, {"Date": "Wed, 21 Oct 2026 07:28:00 GMT"})) as server:
        with new_client(base_url=server.url) as client:
            response = send(client, "GET", "/thing")
    assert response.json() == {"ok": True}
    assert server_date(response) == datetime(2026, 10, 21, 7, 28, tzinfo=UTC)
    assert server.received[0].headers["User-Agent"].startswith("ADOLF/")


def test_a_slow_server_raises_a_transient_timeout_error():
    with LoopbackServer(Reply(200, b"late", delay=2)) as server:
        with new_client(base_url=server.url, timeout=httpx.Timeout(0.3)) as client:
            with pytest.raises(TransientHttpError, match="timed out"):
                send(client, "GET", "/slow")


def test_a_refused_connection_is_transient():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with new_client(timeout=2) as client:
        with pytest.raises(TransientHttpError, match="ConnectError") as caught:
            send(client, "GET", f"http://127.0.0.1:{port}/")
    assert caught.value.permanent is False


@pytest.mark.parametrize("status", [500, 502, 504, 408])
def test_server_errors_are_transient(status):
    with LoopbackServer(Reply(status)) as server, new_client(base_url=server.url) as client:
        with pytest.raises(TransientHttpError) as caught:
            send(client, "POST", "/x", json={})
    assert caught.value.status == status
    assert not isinstance(caught.value, RateLimitedHttpError)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422])
def test_client_errors_are_permanent(status):
    with LoopbackServer(Reply(status)) as server, new_client(base_url=server.url) as client:
        with pytest.raises(PermanentHttpError) as caught:
            send(client, "GET", "/x")
    assert caught.value.permanent is True
    assert caught.value.status == status


def test_429_carries_retry_after_in_seconds():
    with LoopbackServer(Reply(429, headers={"Retry-After": "17"})) as server, new_client(base_url=server.url) as client:
        with pytest.raises(RateLimitedHttpError) as caught:
            send(client, "GET", "/x")
    assert caught.value.retry_after == 17.0


def test_redirects_are_not_followed_and_name_the_new_location():
    with LoopbackServer(Reply(301, headers={"Location": "https://elsewhere.example/"})) as server:
        with new_client(base_url=server.url) as client:
            with pytest.raises(PermanentHttpError, match=r"redirected .* to https://elsewhere\.example/"):
                send(client, "GET", "/old")
    assert len(server.received) == 1


def test_error_messages_leave_out_the_query_string_where_keys_may_be():
    with LoopbackServer(Reply(404)) as server, new_client(base_url=server.url) as client:
        with pytest.raises(PermanentHttpError) as caught:
            send(client, "GET", "/orders", params={"consumer_secret": "cs_very_secret"})
    assert "cs_very_secret" not in str(caught.value)
    assert "/orders" in str(caught.value)


def test_retry_after_is_parsed_as_seconds_or_an_http_date():
    now = datetime(2026, 11, 21, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120", now=now) == 120.0
    assert parse_retry_after("Sat, 21 Nov 2026 12:01:30 GMT", now=now) == 90.0
    assert parse_retry_after("Sat, 21 Nov 2026 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(None) is None


def test_backoff_grows_exponentially_up_to_its_cap_with_full_jitter():
    assert [backoff_delay(n, base=10, cap=300, jitter=False) for n in (1, 2, 3, 4, 5, 6, 7)] == [
        10, 20, 40, 80, 160, 300, 300,
    ]  # fmt: skip
    delays = [backoff_delay(3, base=10, cap=300) for _ in range(200)]
    assert all(0 <= delay <= 40 for delay in delays)
    assert len(set(delays)) > 1
