"""The store's MCP endpoints, both flavours WooCommerce has shipped: JSON-RPC 2.0 over
streamable HTTP (POST, JSON answers), sessions by Mcp-Session-Id.

- "legacy" (WooCommerce 10.3.6 on; still answering on 10.9.4): /wp-json/woocommerce/mcp,
  header X-MCP-API-Key `ck:cs`, https only, tools `woocommerce-orders-list` (the REST list
  parameters, run through the REST controller) and `woocommerce-orders-get`. A session it
  forgot answers 404, as the MCP specification says.
- "adapter" (10.9 on): /wp-json/mcp/mcp-adapter-default-server, Basic auth with a WordPress
  application password, the tools of simulator.abilities. It answers as a real 10.9.4 store
  did (tests/fixtures/mcp-adapter-10.9): an unknown or expired session is HTTP 200 with
  JSON-RPC error -32602, a missing session header 400 with -32600, an unknown tool HTTP 404
  with -32003, a notification 200 with an empty body; JSON encoded as PHP does (slashes
  escaped); past 32 sessions per user the oldest is dropped.

Without WooCommerce's `mcp_integration` feature neither endpoint exists (404 rest_no_route).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import threading
import uuid
from typing import Any

from simulator.abilities import AdapterTools
from simulator.errors import ApiError
from simulator.store import SimulatedStore
from simulator.tools import UnknownTool, php_json_text, tool_result

LEGACY_PATH = "/wp-json/woocommerce/mcp"
ADAPTER_PATH = "/wp-json/mcp/mcp-adapter-default-server"
PROTOCOL_VERSION = "2025-06-18"
# The WordPress MCP adapter keeps at most this many sessions per user, dropping the oldest.
MAX_SESSIONS_PER_USER = 32
JSON_HEADERS = {"Content-Type": "application/json; charset=UTF-8"}

Answer = tuple[int, dict[str, str], Any]  # status, headers, body (JSON-able, bytes, or None: no body)


def rpc_error(request_id: Any, code: int, message: str) -> dict[str, Any]:
    """Return a JSON-RPC 2.0 error answer to request `request_id`."""
    return {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}


def no_route() -> ApiError:
    """Return WordPress's 404 rest_no_route, as for an endpoint the store does not have."""
    return ApiError(404, "rest_no_route", "No route was found matching the URL and request method.")


class LegacyTools:
    """The two order tools of WooCommerce's own MCP server: REST v3 behind a tool name."""

    def __init__(self, store: SimulatedStore) -> None:
        self.store = store

    def server_info(self) -> dict[str, Any]:
        """Return what WooCommerce's own MCP endpoint answers to `initialize`."""
        return {
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {"tools": {"listChanged": False}},
            "serverInfo": {"name": "WooCommerce MCP", "version": self.store.version},
        }

    def list(self) -> list[dict[str, Any]]:
        """Return the legacy endpoint's order tools (list and get)."""
        names = ("woocommerce-orders-list", "woocommerce-orders-get")
        return [{"name": name, "inputSchema": {"type": "object"}} for name in names]

    def call(self, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """Run an order tool; a failure comes back as an error result, as WooCommerce's endpoint does."""
        try:
            if tool == "woocommerce-orders-list":
                query = {name: [_query_value(value)] for name, value in arguments.items()}
                orders, _total, _pages = self.store.list_orders(query)
                with self.store.lock:
                    return tool_result({"data": [self.store.render(order) for order in orders]})
            if tool == "woocommerce-orders-get":
                order = self.store.order(int(arguments.get("id", 0)))
                with self.store.lock:
                    return tool_result({"data": self.store.render(order)})
        except ApiError as exc:
            return tool_result(f"{exc.code}: {exc.message}", error=True)
        except (TypeError, ValueError) as exc:
            return tool_result(f"invalid arguments: {exc}", error=True)
        raise UnknownTool(tool)


class McpEndpoint:
    """Serve one MCP flavour of a simulated store."""

    def __init__(self, store: SimulatedStore, flavour: str) -> None:
        self.store = store
        self.flavour = flavour
        self.adapter = flavour == "adapter"
        self.tools: LegacyTools | AdapterTools = AdapterTools(store) if self.adapter else LegacyTools(store)
        self.sessions: dict[str, str] = {}  # session id -> user, oldest first
        self.calls: list[str] = []  # JSON-RPC methods received, for tests to inspect
        self.tool_calls: list[tuple[str, Any]] = []  # (tool, arguments) of each tools/call
        self._lock = threading.Lock()

    def expire_sessions(self) -> None:
        """Forget every session, as a server restart or a session timeout does."""
        with self._lock:
            self.sessions.clear()

    # --- HTTP ------------------------------------------------------------------------
    def handle(self, method: str, headers: dict[str, str], body: bytes) -> Answer:
        """Answer one HTTP request to the endpoint; raise ApiError for WordPress's own refusals."""
        user = self._authenticate(headers)
        session = headers.get("Mcp-Session-Id", "")
        if method == "DELETE":
            with self._lock:
                self.sessions.pop(session, None)
            return 200, {}, None
        if method != "POST":
            return self._answer(405, rpc_error(None, -32600, "Only POST is supported"), {"Allow": "POST, DELETE"})
        try:
            message = json.loads(body)
        except ValueError:
            return self._answer(400, rpc_error(None, -32700, "Parse error"))
        if not isinstance(message, dict) or message.get("jsonrpc") != "2.0" or "method" not in message:
            return self._answer(400, rpc_error(None, -32600, "Invalid Request"))
        request_id, name = message.get("id"), message["method"]
        self.calls.append(name)
        if name == "initialize":
            answer = {"jsonrpc": "2.0", "id": request_id, "result": self.tools.server_info()}
            return self._answer(200, answer, {"Mcp-Session-Id": self._open_session(user)})
        if not session:
            missing = (
                "Invalid Request: Missing Mcp-Session-Id header"
                if self.adapter
                else "Bad Request: Mcp-Session-Id header is required"
            )
            return self._answer(400, rpc_error(request_id, -32600, missing))
        with self._lock:
            known = session in self.sessions
        if not known:
            if self.adapter:
                return self._answer(200, rpc_error(request_id, -32602, "Invalid params: Invalid or expired session"))
            return self._answer(404, rpc_error(request_id, -32001, "Session not found"))
        if request_id is None:  # a notification, e.g. notifications/initialized
            return (200, dict(JSON_HEADERS), None) if self.adapter else (202, {}, None)
        if name == "ping":
            return self._answer(200, {"jsonrpc": "2.0", "id": request_id, "result": {}})
        if name == "tools/list":
            return self._answer(200, {"jsonrpc": "2.0", "id": request_id, "result": {"tools": self.tools.list()}})
        if name == "tools/call":
            return self._tools_call(request_id, message.get("params"))
        return self._answer(200, rpc_error(request_id, -32601, f"Method not found: {name}"))

    def _tools_call(self, request_id: Any, params: Any) -> Answer:
        params = params if isinstance(params, dict) else {}
        tool, arguments = str(params.get("name", "")), params.get("arguments") or {}
        self.tool_calls.append((tool, arguments))
        if not isinstance(arguments, dict):
            return self._answer(200, rpc_error(request_id, -32602, "Invalid params: arguments must be an object"))
        try:
            result = self.tools.call(tool, arguments)
        except UnknownTool:
            if self.adapter:
                return self._answer(404, rpc_error(request_id, -32003, f"Tool not found: {tool}"))
            return self._answer(200, rpc_error(request_id, -32602, f"Unknown tool: {tool}"))
        return self._answer(200, {"jsonrpc": "2.0", "id": request_id, "result": result})

    def _answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> Answer:
        if self.adapter:
            return status, {**JSON_HEADERS, **(headers or {})}, php_json_text(body).encode()
        return status, dict(headers or {}), body

    def _open_session(self, user: str) -> str:
        session = str(uuid.uuid4())
        with self._lock:
            if self.adapter:
                mine = [known for known, owner in self.sessions.items() if owner == user]
                for oldest in mine[: max(0, len(mine) - MAX_SESSIONS_PER_USER + 1)]:
                    del self.sessions[oldest]
            self.sessions[session] = user
        return session

    # --- authentication -----------------------------------------------------------------
    def _authenticate(self, headers: dict[str, str]) -> str:
        """Return the caller, or raise the ApiError WordPress answers, in the order it checks."""
        if self.adapter:
            # A bad application password fails before routing (rest_authentication_errors);
            # no credentials at all fail at the route's permission check, if the route exists.
            user = self._application_password(headers)
            if user is None:
                raise ApiError(401, "incorrect_password", "The provided password is an invalid application password.")
            if not self.store.mcp_enabled:
                raise no_route()
            if not user:
                raise ApiError(401, "rest_forbidden", "Sorry, you are not allowed to do that.")
            return user
        if not self.store.mcp_enabled:
            raise no_route()
        # WooCommerce's WooCommerceRestTransport::validate_request(), in its order and words.
        if not self.store.https:
            raise ApiError(403, "insecure_transport", "HTTPS is required for MCP requests.")
        api_key = headers.get("X-MCP-API-Key", "")
        if not api_key:
            raise ApiError(
                401, "missing_api_key", "X-MCP-API-Key header required. Format: consumer_key:consumer_secret"
            )
        if ":" not in api_key:
            raise ApiError(401, "invalid_api_key", "X-MCP-API-Key must be in format consumer_key:consumer_secret")
        key, _, secret = api_key.partition(":")
        found = self.store.authenticate_key(key.strip())
        if found is None or not hmac.compare_digest(found.secret, secret.strip()):
            raise ApiError(401, "authentication_failed", "Authentication failed.")
        return key

    def _application_password(self, headers: dict[str, str]) -> str | None:
        """Return the Basic-auth user if the password is right, "" without credentials, None if wrong."""
        header = headers.get("Authorization", "")
        if not header:
            return ""
        try:
            user, _, password = base64.b64decode(header.removeprefix("Basic ")).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        expected = self.store.app_passwords.get(user)
        if not header.startswith("Basic ") or expected is None:
            return None
        # WordPress shows application passwords in groups of four and ignores the spaces.
        return user if hmac.compare_digest(expected.replace(" ", ""), password.replace(" ", "")) else None


def _query_value(value: Any) -> str:
    """Render a tool argument as the REST query string would carry it."""
    if isinstance(value, list):
        return ",".join(map(str, value))
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
