"""The store's MCP endpoints, both flavours WooCommerce has shipped: JSON-RPC 2.0 over
streamable HTTP (POST only, JSON answers), sessions by Mcp-Session-Id.

- "legacy" (WooCommerce 10.3.6 to 10.8): /wp-json/woocommerce/mcp, header X-MCP-API-Key
  `ck:cs`, tools `woocommerce-orders-list` (REST list parameters) and `woocommerce-orders-get`.
- "adapter" (≥ 10.9): /wp-json/mcp/mcp-adapter-default-server, Basic auth with a WordPress
  application password, tool `mcp-adapter-execute-ability` running `woocommerce/orders-query`.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import threading
import uuid
from typing import Any

from simulator.payloads import thin_order_json
from simulator.store import ApiError, SimulatedStore

LEGACY_PATH = "/wp-json/woocommerce/mcp"
ADAPTER_PATH = "/wp-json/mcp/mcp-adapter-default-server"
PROTOCOL_VERSION = "2025-06-18"
ADAPTER_ORDERBY = {
    "date_modified": "modified",
    "modified": "modified",
    "date": "date",
    "date_created": "date",
    "id": "id",
}

Answer = tuple[int, dict[str, str], Any]  # status, headers, JSON body (None: no body)


def rpc_error(request_id: Any, code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}


def tool_result(structured: Any, *, error: bool = False) -> dict[str, Any]:
    text = structured if isinstance(structured, str) else json.dumps(structured)
    result: dict[str, Any] = {"content": [{"type": "text", "text": text}]}
    if error:
        result["isError"] = True
    else:
        result["structuredContent"] = structured
    return result


class McpEndpoint:
    """Serve one MCP flavour of a simulated store."""

    def __init__(self, store: SimulatedStore, flavour: str) -> None:
        self.store = store
        self.flavour = flavour
        self.sessions: set[str] = set()
        self.calls: list[str] = []  # JSON-RPC methods received, for tests to inspect
        self._lock = threading.Lock()

    def expire_sessions(self) -> None:
        """Forget every session, as a server restart or a session timeout does."""
        with self._lock:
            self.sessions.clear()

    # --- HTTP ------------------------------------------------------------------------
    def handle(self, method: str, headers: dict[str, str], body: bytes) -> Answer:
        denied = self._authenticate(headers)
        if denied:
            return denied
        session = headers.get("Mcp-Session-Id", "")
        if method == "DELETE":
            with self._lock:
                self.sessions.discard(session)
            return 200, {}, None
        if method != "POST":
            return 405, {"Allow": "POST, DELETE"}, rpc_error(None, -32600, "Only POST is supported")
        try:
            message = json.loads(body)
        except ValueError:
            return 400, {}, rpc_error(None, -32700, "Parse error")
        if not isinstance(message, dict) or message.get("jsonrpc") != "2.0" or "method" not in message:
            return 400, {}, rpc_error(None, -32600, "Invalid Request")
        request_id, name = message.get("id"), message["method"]
        self.calls.append(name)
        if name == "initialize":
            new_session = uuid.uuid4().hex
            with self._lock:
                self.sessions.add(new_session)
            answer = {"jsonrpc": "2.0", "id": request_id, "result": self._server_info()}
            return 200, {"Mcp-Session-Id": new_session}, answer
        if not session:
            return 400, {}, rpc_error(request_id, -32600, "Bad Request: Mcp-Session-Id header is required")
        with self._lock:
            known = session in self.sessions
        if not known:
            return 404, {}, rpc_error(request_id, -32001, "Session not found")
        if request_id is None:
            return 202, {}, None  # a notification, e.g. notifications/initialized
        if name == "ping":
            return 200, {}, {"jsonrpc": "2.0", "id": request_id, "result": {}}
        if name == "tools/list":
            return 200, {}, {"jsonrpc": "2.0", "id": request_id, "result": {"tools": self._tools()}}
        if name == "tools/call":
            params = message.get("params") if isinstance(message.get("params"), dict) else {}
            result = self._call(str(params.get("name", "")), params.get("arguments") or {})
            if "error" in result:
                return 200, {}, {"jsonrpc": "2.0", "id": request_id, **result}
            return 200, {}, {"jsonrpc": "2.0", "id": request_id, "result": result}
        return 200, {}, rpc_error(request_id, -32601, f"Method not found: {name}")

    def _authenticate(self, headers: dict[str, str]) -> Answer | None:
        if self.flavour == "legacy":
            if not self.store.https:
                return 403, {}, ApiError(403, "insecure_connection", "MCP requires HTTPS.").body()
            key, _, secret = headers.get("X-MCP-API-Key", "").partition(":")
            found = self.store.authenticate_key(key)
            if found is None or not hmac.compare_digest(found.secret, secret):
                return 401, {}, {"code": "invalid_api_key", "message": "Invalid API key.", "data": {"status": 401}}
            return None
        header = headers.get("Authorization", "")
        try:
            user, _, password = base64.b64decode(header.removeprefix("Basic ")).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            user, password = "", ""
        expected = self.store.app_passwords.get(user)
        if (
            not header.startswith("Basic ")
            or expected is None
            or not hmac.compare_digest(expected.replace(" ", ""), password.replace(" ", ""))
        ):
            return (
                401,
                {},
                {
                    "code": "incorrect_password",
                    "message": "The provided password is an invalid application password.",
                    "data": {"status": 401},
                },
            )
        return None

    def _server_info(self) -> dict[str, Any]:
        name = "WooCommerce MCP" if self.flavour == "legacy" else "mcp-adapter-default-server"
        return {
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {"tools": {"listChanged": False}},
            "serverInfo": {"name": name, "version": self.store.version},
        }

    def _tools(self) -> list[dict[str, Any]]:
        if self.flavour == "legacy":
            names = ("woocommerce-orders-list", "woocommerce-orders-get")
        else:
            names = ("mcp-adapter-discover-abilities", "mcp-adapter-get-ability-info", "mcp-adapter-execute-ability")
        return [{"name": name, "inputSchema": {"type": "object"}} for name in names]

    # --- tools -------------------------------------------------------------------------
    def _call(self, tool: str, arguments: Any) -> dict[str, Any]:
        if not isinstance(arguments, dict):
            return {"error": {"code": -32602, "message": "Invalid params: arguments must be an object"}}
        if tool not in {t["name"] for t in self._tools()}:
            return {"error": {"code": -32602, "message": f"Unknown tool: {tool}"}}
        try:
            if tool == "woocommerce-orders-list":
                return tool_result({"data": self._list(arguments)})
            if tool == "woocommerce-orders-get":
                order = self.store.order(int(arguments.get("id", 0)))
                with self.store.lock:
                    return tool_result({"data": self.store.render(order)})
            if tool == "mcp-adapter-discover-abilities":
                return tool_result({"abilities": [{"name": "woocommerce/orders-query", "label": "Query orders"}]})
            if tool == "mcp-adapter-get-ability-info":
                return tool_result({"name": "woocommerce/orders-query", "input_schema": {"type": "object"}})
            return self._execute(arguments)
        except ApiError as exc:
            return tool_result(f"{exc.code}: {exc.message}", error=True)
        except (TypeError, ValueError) as exc:
            return tool_result(f"invalid arguments: {exc}", error=True)

    def _list(self, arguments: dict[str, Any], *, gmt_default: bool = False) -> list[dict[str, Any]]:
        query = {name: [_query_value(value)] for name, value in arguments.items()}
        if gmt_default:
            query.setdefault("dates_are_gmt", ["true"])
        orders, _total, _pages = self.store.list_orders(query)
        with self.store.lock:
            return [self.store.render(order) for order in orders]

    def _execute(self, arguments: dict[str, Any]) -> dict[str, Any]:
        ability = arguments.get("ability_name")
        if ability != "woocommerce/orders-query":
            return tool_result({"success": False, "error": f"Ability {ability!r} not found."}, error=True)
        parameters = arguments.get("parameters") or {}
        if not isinstance(parameters, dict):
            return tool_result({"success": False, "error": "parameters must be an object"}, error=True)
        query = {name: [str(value)] for name, value in parameters.items() if name != "orderby"}
        query["orderby"] = [ADAPTER_ORDERBY.get(str(parameters.get("orderby", "date")), str(parameters.get("orderby")))]
        query.setdefault("dates_are_gmt", ["true"])
        orders, total, pages = self.store.list_orders(query)
        with self.store.lock:
            thin = [thin_order_json(order, self.store.utc_offset) for order in orders]
        per_page = int(parameters.get("per_page", 10))
        page = int(parameters.get("page", 1))
        data = {"orders": thin, "total": total, "total_pages": pages, "page": page, "per_page": per_page}
        return tool_result({"success": True, "data": data})


def _query_value(value: Any) -> str:
    """Render a tool argument as the REST query string would carry it."""
    if isinstance(value, list):
        return ",".join(map(str, value))
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
