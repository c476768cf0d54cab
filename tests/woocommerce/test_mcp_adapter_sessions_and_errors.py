"""Sessions and errors as WooCommerce 10.9.4's MCP adapter sends them (tests/fixtures/mcp-adapter-10.9).

An expired session is HTTP 200 with -32602 (not the specification's 404): open a new one
and repeat the call. An unknown tool is HTTP 404 with -32003: a permanent, typed error,
not a lost session. A refused parameter is a generic text: ADOLF's error names the call.
"""

from __future__ import annotations

import base64

import httpx
import pytest

from shop.woocommerce import build_client
from shop.woocommerce.jsonrpc import McpDisabledError, McpToolError, McpToolNotFoundError
from simulator.mcp import ADAPTER_PATH, MAX_SESSIONS_PER_USER
from tests.support.simulated_store import BEFORE_ALL, fill

pytestmark = pytest.mark.usefixtures("in_english")


def open_sessions(server, count: int) -> None:
    """Open sessions as the same WordPress user, the way other MCP clients of the store would."""
    user, password = next(iter(server.store.app_passwords.items()))
    auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    for n in range(count):
        message = {"jsonrpc": "2.0", "id": n, "method": "initialize", "params": {"protocolVersion": "2025-06-18"}}
        httpx.post(server.url + ADAPTER_PATH, json=message, headers={"Authorization": auth}, timeout=5)


def test_a_session_the_server_expired_is_opened_again_and_the_call_repeated(server):
    ids = fill(server.store, 250)
    with build_client(server.config("mcp-adapter")) as client:
        pages = client.iter_modified_orders(BEFORE_ALL)
        first = next(pages)
        server.adapter_mcp.expire_sessions()
        rest = list(pages)
    assert [order.id for page in [first, *rest] for order in page.orders] == ids
    assert server.adapter_mcp.calls.count("initialize") == 2


def test_a_session_dropped_for_32_newer_ones_of_the_same_user_is_survived(server):
    ids = fill(server.store, 150)
    with build_client(server.config("mcp-adapter")) as client:
        pages = client.iter_modified_orders(BEFORE_ALL)
        first = next(pages)
        open_sessions(server, MAX_SESSIONS_PER_USER)
        assert client.session.session_id not in server.adapter_mcp.sessions
        rest = list(pages)
    assert [order.id for page in [first, *rest] for order in page.orders] == ids


def test_an_unknown_tool_is_a_permanent_error_naming_it_without_a_new_session(server):
    with build_client(server.config("mcp-adapter")) as client:
        with pytest.raises(McpToolNotFoundError) as caught:
            client.call_tool("woocommerce-orders-list", {"per_page": 1})
    assert caught.value.retryable is False
    assert caught.value.message.startswith("this store's MCP has no tool woocommerce-orders-list")
    assert server.adapter_mcp.calls.count("initialize") == 1


def test_a_refused_parameter_is_a_tool_error_naming_the_call_and_its_parameters(server):
    parameters = {"per_page": 500}
    with build_client(server.config("mcp-adapter")) as client, pytest.raises(McpToolError) as caught:
        client.call_tool(
            "mcp-adapter-execute-ability", {"ability_name": "woocommerce/orders-query", "parameters": parameters}
        )
    assert str(caught.value) == (
        'simulated-shop: tools/call mcp-adapter-execute-ability {"ability_name": "woocommerce/orders-query", '
        '"parameters": {"per_page": 500}}: the tool failed: An error occurred while executing the tool.'
    )
    assert caught.value.retryable is False


def test_a_store_with_the_mcp_feature_off_is_told_to_switch_it_on(server):
    server.store.mcp_enabled = False
    with build_client(server.config("mcp-adapter")) as client, pytest.raises(McpDisabledError) as caught:
        list(client.iter_modified_orders(BEFORE_ALL))
    assert "switch on WooCommerce's MCP feature" in caught.value.message
    assert caught.value.code == "rest_no_route"
    with build_client(server.config("mcp-adapter")) as client:
        report = client.test_connection()
    assert report.problems == [
        "no MCP endpoint at /wp-json/mcp/mcp-adapter-default-server (HTTP 404 rest_no_route): switch on "
        "WooCommerce's MCP feature (`mcp_integration`, off by default: WooCommerce → Settings → Advanced → "
        "Features, or `wp option update woocommerce_feature_mcp_integration_enabled yes`); this endpoint needs "
        "WooCommerce 10.9 or later"
    ]
