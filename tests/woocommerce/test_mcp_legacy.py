"""The MCP client reads orders from WooCommerce's own /wp-json/woocommerce/mcp (10.3.6 and later)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shop.woocommerce import (
    AuthenticationError,
    InvalidResponseError,
    NotFoundError,
    RateLimitedError,
    TransientError,
    build_client,
)
from shop.woocommerce.jsonrpc import McpProtocolError, McpToolError
from tests.support.simulated_store import BEFORE_ALL, fill

pytestmark = pytest.mark.usefixtures("in_english")


def test_it_reads_every_order_past_the_first_hundred_in_one_session(server):
    ids = fill(server.store, 230)
    with build_client(server.config("mcp-legacy")) as client:
        pages = list(client.iter_modified_orders(BEFORE_ALL))
        session = client.session.session_id
    assert [order.id for page in pages for order in page.orders] == ids
    assert [page.total_pages for page in pages] == [None, None, None]
    assert pages[-1].last is True
    assert all(page.store_time is not None for page in pages)
    calls = server.legacy_mcp.calls
    assert calls[:2] == ["initialize", "notifications/initialized"]
    assert calls[2:] == ["tools/call"] * 3
    assert session is not None
    assert server.legacy_mcp.sessions == {}  # closed with DELETE


def test_a_session_the_server_dropped_is_reinitialised_transparently(server):
    ids = fill(server.store, 150)
    with build_client(server.config("mcp-legacy")) as client:
        pages = client.iter_modified_orders(BEFORE_ALL)
        first = next(pages)
        old_session = client.session.session_id
        server.legacy_mcp.expire_sessions()
        rest = list(pages)
        assert client.session.session_id != old_session
    assert [o.id for page in [first, *rest] for o in page.orders] == ids
    assert server.legacy_mcp.calls.count("initialize") == 2


def test_a_tool_error_is_told_apart_from_a_protocol_error(server):
    with build_client(server.config("mcp-legacy")) as client:
        with pytest.raises(McpToolError, match="rest_invalid_param") as tool_failure:
            client.call_tool("woocommerce-orders-list", {"per_page": 500})
        with pytest.raises(McpProtocolError, match="-32601") as protocol_failure:
            client.session.rpc("orders/everything", {})
        with pytest.raises(McpProtocolError, match="Unknown tool"):
            client.call_tool("woocommerce-orders-delete-all", {})
    assert tool_failure.value.retryable is False
    assert not isinstance(protocol_failure.value, McpToolError)


def test_one_order_and_its_refunds_come_from_woocommerce_orders_get(server):
    order = server.store.create_order(status="processing", total="100.00")
    server.store.refund(order.id, "30.00", reason="scratched")
    with build_client(server.config("mcp-legacy")) as client:
        fetched = client.get_order(order.id)
        refunds = client.list_refunds(order.id)
        with pytest.raises(NotFoundError):
            client.get_order(99999)
    assert fetched.total == Decimal("100.00")
    assert [(refund.reason, refund.amount) for refund in refunds] == [("scratched", Decimal("30.00"))]


def test_a_wrong_api_key_is_an_authentication_error(server):
    with (
        build_client(server.config("mcp-legacy", secret="cs_bad")) as client,
        pytest.raises(AuthenticationError) as caught,
    ):
        list(client.iter_modified_orders(BEFORE_ALL))
    assert caught.value.code == "authentication_failed"
    assert "cs_bad" not in str(caught.value)


def test_rate_limiting_in_front_of_the_mcp_endpoint_is_typed(server):
    server.store.inject("rate_limit", retry_after="7", path="/wp-json/woocommerce/mcp")
    with build_client(server.config("mcp-legacy")) as client, pytest.raises(RateLimitedError) as caught:
        list(client.iter_modified_orders(BEFORE_ALL))
    assert caught.value.retry_after == 7.0


@pytest.mark.parametrize("fault", [{"kind": "status", "status": 502}, {"kind": "slow", "delay": 1.0}])
def test_a_failing_or_slow_mcp_endpoint_is_transient(server, fault):
    server.store.inject(path="/wp-json/woocommerce/mcp", **fault)
    with build_client(server.config("mcp-legacy", timeout=0.3)) as client, pytest.raises(TransientError):
        list(client.iter_modified_orders(BEFORE_ALL))


def test_an_answer_that_is_not_json_rpc_is_an_invalid_response(server):
    server.store.inject("malformed", path="/wp-json/woocommerce/mcp")
    with build_client(server.config("mcp-legacy")) as client:
        with pytest.raises(InvalidResponseError, match="no JSON-RPC answer") as caught:
            list(client.iter_modified_orders(BEFORE_ALL))
    assert caught.value.sample.startswith("<br />")


def test_the_connection_test_opens_a_session_and_reads(server):
    with build_client(server.config("mcp-legacy")) as client:
        report = client.test_connection()
    assert report.ok, report.problems
    with build_client(server.config("mcp-legacy", secret="cs_bad")) as client:
        report = client.test_connection()
    assert report.problems == [
        "the store refused the API key (ck_…:cs_…): authentication refused "
        "(HTTP 401 authentication_failed: Authentication failed.)"
    ]


def test_the_connection_test_checks_webhook_rights_over_rest_with_the_same_keys(server):
    with build_client(server.config("mcp-legacy")) as client:
        report = client.test_connection(need_write=True)
    assert report.ok, report.problems
    assert report.can_write is True
    with build_client(server.config("mcp-legacy", read_only=True)) as client:
        report = client.test_connection(need_write=True)
    assert report.can_write is False
    assert [check.name for check in report.findings if not check.ok] == ["REST write"]
