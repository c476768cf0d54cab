"""One MCP session: JSON-RPC 2.0 over streamable HTTP, as WooCommerce's MCP servers speak it.

A small synchronous client on adolf.http rather than the official `mcp` SDK: the SDK is
async-only (every Celery task would spin an event loop per call), hides the HTTP
response (so neither the store's Date header nor a 429's Retry-After reach us), and
reports HTTP failures as generic exceptions, where the poller needs typed ones. The
protocol surface used here is small: initialize, notifications/initialized, tools/call.

Servers forget sessions (the WordPress MCP adapter after 24 h idle, or past 32 sessions
per user) and say so in two ways: the MCP specification's HTTP 404, and the adapter's
HTTP 200 with JSON-RPC error -32602 "Invalid params: Invalid or expired session" (a real
WooCommerce 10.9.4 store). Either way the session is opened again, once, and the call
repeated. Not every 404 is a lost session: the adapter answers an unknown tool with 404
and -32003, and WordPress answers 404 `rest_no_route` when WooCommerce's MCP feature is
off; neither is worth a second try.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from datetime import datetime
from typing import Any

import httpx

from adolf.http import HttpError, describe, send, server_date
from shop.woocommerce.errors import (
    AuthenticationError,
    InvalidResponseError,
    NotFoundError,
    StoreError,
    body_sample,
    from_http_error,
    wp_error,
)

PROTOCOL_VERSION = "2025-06-18"
INVALID_PARAMS = -32602  # JSON-RPC; the WordPress MCP adapter's answer to a session it does not know
TOOL_NOT_FOUND = -32003  # the WordPress MCP adapter's answer to an unknown tool (with HTTP 404)
# What to do when the store has no MCP endpoint (the feature flag is off by default).
SWITCH_MCP_ON = (
    "switch on WooCommerce's MCP feature (`mcp_integration`, off by default: WooCommerce → Settings → Advanced "
    "→ Features, or `wp option update woocommerce_feature_mcp_integration_enabled yes`)"
)


class McpProtocolError(InvalidResponseError):
    """The server answered with a JSON-RPC `error`: the request itself was not understood."""

    def __init__(self, message: str, *, rpc_code: int | None = None, **kwargs: Any) -> None:
        self.rpc_code = rpc_code
        super().__init__(message, **kwargs)


class McpSessionExpiredError(McpProtocolError):
    """The server no longer knows our session (the adapter's HTTP 200 with -32602)."""


class McpToolError(InvalidResponseError):
    """The tool ran and failed (`isError: true`): usually a rejected argument."""


class McpToolNotFoundError(StoreError):
    """This store's MCP server has no tool of that name: an MCP of another WooCommerce version."""


class McpDisabledError(NotFoundError):
    """The store has no MCP endpoint: WooCommerce's MCP feature is off (or WooCommerce too old)."""


class McpSession:
    """JSON-RPC calls in one MCP session of one store; every failure is a StoreError."""

    def __init__(self, http: httpx.Client, *, path: str, store: str, base_url: str) -> None:
        self._http = http
        self.path = path
        self.store = store
        self.base_url = base_url
        self.session_id: str | None = None
        self.last_store_time: datetime | None = None
        self._ids = itertools.count(1)

    def _post(self, message: dict[str, Any]) -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        if self.session_id:
            headers["Mcp-Session-Id"] = self.session_id
            headers["MCP-Protocol-Version"] = PROTOCOL_VERSION
        try:
            response = send(self._http, "POST", self.path, content=json.dumps(message).encode(), headers=headers)
        except HttpError as exc:
            if exc.response is not None:
                self.last_store_time = server_date(exc.response) or self.last_store_time
            raise
        self.last_store_time = server_date(response) or self.last_store_time
        return response

    def initialize(self) -> None:
        """Open a session: `initialize`, then `notifications/initialized` in it."""
        self.session_id = None
        request = {
            "jsonrpc": "2.0",
            "id": next(self._ids),
            "method": "initialize",
            "params": {
                "protocolVersion": PROTOCOL_VERSION,
                "capabilities": {},
                "clientInfo": {"name": "adolf", "version": "1.0"},
            },
        }
        try:
            response = self._post(request)
        except HttpError as exc:
            raise self._refusal(exc, "initialize") from exc
        self._reply(response, request["id"])
        self.session_id = response.headers.get("Mcp-Session-Id") or None
        try:
            # The adapter answers 200 with an empty body, the specification 202: nothing to read.
            self._post({"jsonrpc": "2.0", "method": "notifications/initialized"})
        except HttpError as exc:
            raise self._refusal(exc, "notifications/initialized") from exc

    def rpc(self, method: str, params: dict[str, Any], *, what: str = "") -> dict[str, Any]:
        """Call one JSON-RPC method in the session, opening it again once if the server forgot it.

        `what` names the call in errors (default: the method).
        """
        if self.session_id is None:
            self.initialize()
        for attempt in (1, 2):
            request = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params}
            try:
                response = self._post(request)
            except HttpError as exc:
                tool = str(params.get("name", "")) if method == "tools/call" else ""
                error = self._refusal(exc, what or method, tool=tool)
                if error is None and attempt == 1:
                    self.initialize()
                    continue
                raise (error or from_http_error(exc, store=self.store)) from exc
            try:
                return self._reply(response, request["id"], what=what)
            except McpSessionExpiredError:
                if attempt == 2:
                    raise
                self.initialize()
        raise AssertionError("unreachable")

    def _refusal(self, exc: HttpError, what: str, *, tool: str = "") -> StoreError | None:
        """Return the error an HTTP failure means, or None for a 404 to a session the server forgot."""
        response = exc.response
        if response is None or exc.status != 404:
            return from_http_error(exc, store=self.store)
        code, _message = wp_error(response)
        if code == "rest_no_route":
            return McpDisabledError(
                f"no MCP endpoint at {self.path} (HTTP 404 rest_no_route): {SWITCH_MCP_ON}",
                store=self.store,
                request=describe(response.request),
                status=404,
                code=code,
            )
        error = _rpc_error(response)
        if error and error.get("code") == TOOL_NOT_FOUND:
            return McpToolNotFoundError(
                f"this store's MCP has no tool {tool or '(unnamed)'} ({error.get('message')}): "
                "its WooCommerce version serves other tools",
                store=self.store,
                request=what,
                status=404,
                code=str(TOOL_NOT_FOUND),
            )
        if self.session_id:
            return None
        return from_http_error(exc, store=self.store)

    def _reply(self, response: httpx.Response, request_id: int, *, what: str = "") -> dict[str, Any]:
        request = what or describe(response.request)
        messages = _messages(response)
        reply = next((m for m in messages if isinstance(m, dict) and m.get("id") == request_id), None)
        if reply is None:
            raise InvalidResponseError(
                "no JSON-RPC answer to our request in the response",
                store=self.store,
                request=request,
                sample=body_sample(response),
            )
        if "error" in reply:
            error = reply["error"] if isinstance(reply["error"], dict) else {}
            code, message = error.get("code"), str(error.get("message"))
            kind = (
                McpSessionExpiredError if code == INVALID_PARAMS and "session" in message.lower() else McpProtocolError
            )
            raise kind(f"JSON-RPC error {code}: {message}", rpc_code=code, store=self.store, request=request)
        result = reply.get("result")
        if not isinstance(result, dict):
            raise InvalidResponseError(
                "the JSON-RPC result is not an object", store=self.store, request=request, sample=body_sample(response)
            )
        return result

    def call_tool(self, name: str, arguments: dict[str, Any]) -> Any:
        """Run a tool; return its structured content, or raise McpToolError if it failed.

        Errors name the call and its arguments (never a credential: those travel in headers),
        since a tool's own error text may say neither: the adapter answers every refused
        parameter with "An error occurred while executing the tool.".
        """
        what = f"tools/call {name} {json.dumps(arguments, sort_keys=True)}"
        result = self.rpc("tools/call", {"name": name, "arguments": arguments}, what=what)
        if result.get("isError"):
            text = " ".join(
                str(part.get("text", "")) for part in result.get("content") or [] if isinstance(part, dict)
            ).strip()
            if "invalid_id" in text:
                raise NotFoundError(f"not found: {text}", store=self.store, request=what)
            if "authentication" in text or "cannot_view" in text:
                raise AuthenticationError(f"the tool refused our credentials: {text}", store=self.store, request=what)
            raise McpToolError(f"the tool failed: {text or 'no reason given'}", store=self.store, request=what)
        if "structuredContent" in result:
            return result["structuredContent"]
        try:
            # Servers without structured output send the same JSON as text.
            return json.loads(result["content"][0]["text"])
        except (KeyError, IndexError, TypeError, ValueError):
            raise InvalidResponseError(
                "the tool result has neither structuredContent nor JSON text",
                store=self.store,
                request=what,
                sample=repr(result),
            ) from None

    def close(self) -> None:
        """End the session (a courtesy: the server times it out anyway)."""
        if self.session_id:
            with contextlib.suppress(httpx.HTTPError):
                self._http.request("DELETE", self.path, headers={"Mcp-Session-Id": self.session_id}, timeout=2.0)
            self.session_id = None


def _rpc_error(response: httpx.Response) -> dict[str, Any] | None:
    """Return the JSON-RPC `error` object of an HTTP error response, if it carries one."""
    for message in _messages(response):
        if isinstance(message, dict) and isinstance(message.get("error"), dict):
            return message["error"]
    return None


def _messages(response: httpx.Response) -> list[Any]:
    """Return the JSON-RPC messages of a response, whether plain JSON or a server-sent event stream."""
    if response.headers.get("Content-Type", "").startswith("text/event-stream"):
        messages = []
        for event in response.text.split("\n\n"):
            data = "\n".join(line[5:].lstrip() for line in event.splitlines() if line.startswith("data:"))
            if data:
                try:
                    messages.append(json.loads(data))
                except ValueError:
                    continue
        return messages
    try:
        body = json.loads(response.content)
    except ValueError:
        return []
    return body if isinstance(body, list) else [body]
