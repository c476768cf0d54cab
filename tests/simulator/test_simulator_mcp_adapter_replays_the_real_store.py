"""The simulator's MCP adapter answers every request as a real WooCommerce 10.9.4 store did.

Each sample in tests/fixtures/mcp-adapter-10.9 is one answer of the real store; the same
request goes to the simulator's adapter flavour, and its status code, the headers that
matter, the JSON's shape (keys and types, field by field) and the texts of errors must be
the real ones.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from simulator import SimulatedStore, StoreServer
from simulator.mcp import ADAPTER_PATH
from tests.support.shapes import shape_differences

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "mcp-adapter-10.9"
INITIALIZE = {
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "replay", "version": "1"}},
}


def execute(parameters: dict[str, Any]) -> dict[str, Any]:
    return tool("mcp-adapter-execute-ability", {"ability_name": "woocommerce/orders-query", "parameters": parameters})


def tool(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {"method": "tools/call", "params": {"name": name, "arguments": arguments}}


@dataclass
class Case:
    sample: str
    status: int
    message: dict[str, Any]
    session: str = "open"  # open: a live session; none: no header; unknown: a made-up one
    auth: str = "good"  # good | bad | none
    mcp_enabled: bool = True
    exact: bool = False  # errors: the texts must be the real ones, word for word
    notification: bool = False
    setup: dict[str, Any] = field(default_factory=dict)


CASES = [
    Case("01-initialize", 200, INITIALIZE, session="none"),
    Case("02-notifications-initialized", 200, {"method": "notifications/initialized"}, notification=True),
    Case("03-tools-list", 200, {"method": "tools/list", "params": {}}, exact=True),
    Case("04-discover-abilities", 200, tool("mcp-adapter-discover-abilities", {}), exact=True),
    Case(
        "05-get-ability-info-orders-query",
        200,
        tool("mcp-adapter-get-ability-info", {"ability_name": "woocommerce/orders-query"}),
        exact=True,
    ),
    Case("06-execute-orders-query", 200, execute({"per_page": 3})),
    Case("10-unknown-session", 200, {"method": "tools/list", "params": {}}, session="unknown", exact=True),
    Case("11-no-session", 400, {"method": "tools/list", "params": {}}, session="none", exact=True),
    Case("12-bad-password", 401, INITIALIZE, session="none", auth="bad", exact=True),
    Case("13-no-auth", 401, INITIALIZE, session="none", auth="none", exact=True),
    Case("14-plain-http", 200, INITIALIZE, session="none"),
    Case("20-orders-query-id24-line-items", 200, execute({"id": 0, "include_line_items": True})),
    Case("21-exec-invalid-per_page", 200, execute({"per_page": 500}), exact=True),
    Case("22-exec-unknown-param", 200, execute({"per_page": 5, "offset": 5}), exact=True),
    Case(
        "23-exec-unknown-ability",
        200,
        tool("mcp-adapter-execute-ability", {"ability_name": "woocommerce/orders-list", "parameters": {}}),
        exact=True,
    ),
    Case("24-exec-bad-id", 200, execute({"id": 999999}), exact=True),
    Case("26-unknown-tool", 404, tool("woocommerce-orders-list", {"per_page": 1}), exact=True),
    Case(
        "27-exec-missing-parameters",
        200,
        tool("mcp-adapter-execute-ability", {"ability_name": "woocommerce/orders-query"}),
        exact=True,
    ),
    Case("40-flag-off-initialize", 404, INITIALIZE, session="none", mcp_enabled=False, exact=True),
]


def recorded(name: str) -> tuple[int | None, dict[str, str], Any]:
    """Return the real answer: status (from its headers file, or as the capture printed it), headers, JSON."""
    text = (SAMPLES / f"{name}.json").read_text()
    status, headers = None, {}
    if (SAMPLES / f"{name}.headers").exists():
        lines = (SAMPLES / f"{name}.headers").read_text().splitlines()
        status = int(lines[0].split()[1])
        headers = {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in lines[1:] if line)}
    if printed := re.fullmatch(r"HTTP (\d+): b'(.*)'\s*", text, re.DOTALL):
        status, text = int(printed[1]), printed[2]
    body = json.loads(text) if text.strip() else None
    if status is None and isinstance(body, dict) and isinstance(body.get("data"), dict):
        status = body["data"].get("status")  # a WordPress error says its own status
    return status, headers, body


def without_ids(message: Any) -> Any:
    """JSON-RPC request ids differ between the real run and ours."""
    return {key: value for key, value in message.items() if key != "id"} if isinstance(message, dict) else message


@pytest.fixture
def adapter_store():
    store = SimulatedStore(timezone="UTC", https=False)
    for status in ("completed", "on-hold", "pending", "processing"):
        store.create_order(status=status, total="56.00", currency="USD", items=2, email="grace@example.test")
    with StoreServer(store) as server:
        yield server


def send(server: StoreServer, case: Case) -> httpx.Response:
    user, password = next(iter(server.store.app_passwords.items()))
    credentials = {"good": f"{user}:{password}", "bad": f"{user}:wrong wrong wrong"}.get(case.auth)
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    if credentials:
        headers["Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode()
    url = server.url + ADAPTER_PATH
    if case.session == "open":
        opened = httpx.post(url, json={"jsonrpc": "2.0", "id": 1, **INITIALIZE}, headers=headers, timeout=5)
        headers["Mcp-Session-Id"] = opened.headers["Mcp-Session-Id"]
    elif case.session == "unknown":
        headers["Mcp-Session-Id"] = "3c347961-937a-41a2-9f3e-f29d9137ab4c"
    message = {"jsonrpc": "2.0", **({} if case.notification else {"id": 9}), **case.message}
    if case.sample.startswith("20-"):
        order = next(iter(server.store.orders.values()))
        message["params"]["arguments"]["parameters"]["id"] = order.id
    server.store.mcp_enabled = case.mcp_enabled
    return httpx.post(url, json=message, headers=headers, timeout=5)


@pytest.mark.parametrize("case", CASES, ids=[case.sample for case in CASES])
def test_the_adapter_answers_like_the_real_store(adapter_store, case):
    status, headers, expected = recorded(case.sample)

    response = send(adapter_store, case)

    assert response.status_code == case.status
    assert status in (None, case.status)
    if headers:
        assert ("Mcp-Session-Id" in response.headers) == ("Mcp-Session-Id" in headers)
        assert response.headers["Content-Type"] == headers["Content-Type"]
    if expected is None:
        assert response.content == b""
        return
    actual = response.json()
    if case.sample.startswith("20-"):
        # The capture kept only the structured content of this answer.
        actual = actual["result"]["structuredContent"]
    assert shape_differences(expected, actual) == []
    if case.exact:
        assert without_ids(actual) == without_ids(expected)
    result = actual.get("result") if isinstance(actual, dict) else None
    if isinstance(result, dict) and "structuredContent" in result:
        # The same JSON as text, for clients without structured output.
        assert json.loads(result["content"][0]["text"]) == result["structuredContent"]


def test_every_sample_is_replayed():
    replayed = {case.sample for case in CASES}
    assert {path.stem for path in SAMPLES.glob("*.json")} == replayed


def test_the_adapters_json_escapes_slashes_as_php_does(adapter_store):
    response = send(adapter_store, Case("04", 200, tool("mcp-adapter-discover-abilities", {})))

    assert b'"woocommerce\\/orders-query"' in response.content
    assert b'\\"woocommerce\\\\\\/orders-query\\"' in response.content  # inside content[0].text, escaped again
