"""The WooCommerce MCP client: JSON-RPC 2.0 over streamable HTTP, in both shipped flavours.

A small synchronous client on adolf.http rather than the official `mcp` SDK: the SDK is
async-only (every Celery task would spin an event loop per call), hides the HTTP
response (so neither the store's Date header nor a 429's Retry-After reach us), and
reports HTTP failures as generic exceptions, where the poller needs typed ones. The
protocol surface used here is small: initialize, notifications/initialized, tools/call,
and session re-initialisation when the server answers 404 to a session it dropped.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from collections.abc import Iterator
from datetime import datetime
from functools import partial
from typing import Any

import httpx

from adolf.http import HttpError, describe, new_client, send, server_date
from shop.woocommerce.base import ConnectionReport, Cursor, OrderPage, UnsupportedOperationError
from shop.woocommerce.config import StoreConfig
from shop.woocommerce.errors import (
    AuthenticationError,
    InvalidResponseError,
    NotFoundError,
    StoreError,
    body_sample,
    from_http_error,
)
from shop.woocommerce.orders import Order, OrderParseError, RefundRecord, parse_order
from shop.woocommerce.paging import RawPage, numbered_pages, seek_pages
from shop.woocommerce.rest import wc_datetime

PROTOCOL_VERSION = "2025-06-18"
PATHS = {"mcp-legacy": "/wp-json/woocommerce/mcp", "mcp-adapter": "/wp-json/mcp/mcp-adapter-default-server"}
ORDERS_QUERY = "woocommerce/orders-query"


class McpProtocolError(InvalidResponseError):
    """The server answered with a JSON-RPC `error`: the request itself was not understood."""


class McpToolError(InvalidResponseError):
    """The tool ran and failed (`isError: true`): usually a rejected argument."""


class McpClient:
    """Read orders over a store's MCP endpoint; every failure is a StoreError."""

    def __init__(self, config: StoreConfig, *, transport: httpx.BaseTransport | None = None) -> None:
        if config.api not in PATHS:
            raise ValueError(f"McpClient speaks {', '.join(PATHS)}, not {config.api}")
        self.config = config
        self.path = PATHS[config.api]
        self.last_store_time: datetime | None = None
        self.session_id: str | None = None
        self._ids = itertools.count(1)
        legacy = config.api == "mcp-legacy"
        self._http = new_client(
            base_url=config.base_url,
            timeout=httpx.Timeout(config.timeout, connect=min(config.timeout, 5.0)),
            auth=None if legacy else httpx.BasicAuth(config.key, config.secret),
            headers={
                "Accept": "application/json, text/event-stream",
                **({"X-MCP-API-Key": f"{config.key}:{config.secret}"} if legacy else {}),
            },
            transport=transport,
            extra_ca=config.ca_certificate,
        )

    # --- JSON-RPC plumbing ---------------------------------------------------------------
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

    def _initialize(self) -> None:
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
            raise from_http_error(exc, store=self.config.name) from exc
        self._reply(response, request["id"])
        self.session_id = response.headers.get("Mcp-Session-Id") or None
        try:
            self._post({"jsonrpc": "2.0", "method": "notifications/initialized"})
        except HttpError as exc:
            raise from_http_error(exc, store=self.config.name) from exc

    def rpc(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Call one JSON-RPC method in the session, re-initialising once if the server dropped it."""
        if self.session_id is None:
            self._initialize()
        for attempt in (1, 2):
            request = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params}
            try:
                response = self._post(request)
            except HttpError as exc:
                # 404 to a request carrying a session id: the server forgot the session.
                if exc.status == 404 and self.session_id and attempt == 1:
                    self._initialize()
                    continue
                raise from_http_error(exc, store=self.config.name) from exc
            return self._reply(response, request["id"])
        raise AssertionError("unreachable")

    def _reply(self, response: httpx.Response, request_id: int) -> dict[str, Any]:
        request = describe(response.request)
        messages = _messages(response)
        reply = next((m for m in messages if isinstance(m, dict) and m.get("id") == request_id), None)
        if reply is None:
            raise InvalidResponseError(
                "no JSON-RPC answer to our request in the response",
                store=self.config.name,
                request=request,
                sample=body_sample(response),
            )
        if "error" in reply:
            error = reply["error"] if isinstance(reply["error"], dict) else {}
            raise McpProtocolError(
                f"JSON-RPC error {error.get('code')}: {error.get('message')}", store=self.config.name, request=request
            )
        result = reply.get("result")
        if not isinstance(result, dict):
            raise InvalidResponseError(
                "the JSON-RPC result is not an object",
                store=self.config.name,
                request=request,
                sample=body_sample(response),
            )
        return result

    def call_tool(self, name: str, arguments: dict[str, Any]) -> Any:
        """Run a tool; return its structured content, or raise McpToolError if it failed."""
        result = self.rpc("tools/call", {"name": name, "arguments": arguments})
        request = f"tools/call {name} at {self.config.base_url}{self.path}"
        if result.get("isError"):
            text = " ".join(
                str(part.get("text", "")) for part in result.get("content") or [] if isinstance(part, dict)
            ).strip()
            if "invalid_id" in text:
                raise NotFoundError(f"not found: {text}", store=self.config.name, request=request)
            if "authentication" in text or "cannot_view" in text:
                raise AuthenticationError(
                    f"the tool refused our credentials: {text}", store=self.config.name, request=request
                )
            raise McpToolError(f"the tool failed: {text or 'no reason given'}", store=self.config.name, request=request)
        if "structuredContent" in result:
            return result["structuredContent"]
        try:
            return json.loads(result["content"][0]["text"])
        except (KeyError, IndexError, TypeError, ValueError):
            raise InvalidResponseError(
                "the tool result has neither structuredContent nor JSON text",
                store=self.config.name,
                request=request,
                sample=repr(result)[:300],
            ) from None

    # --- orders --------------------------------------------------------------------------
    def _legacy_window(self, after: datetime, offset: int) -> RawPage:
        arguments = {
            "modified_after": wc_datetime(after),
            "dates_are_gmt": True,
            "orderby": "id",
            "order": "asc",
            "per_page": self.config.per_page,
            "offset": offset,
        }
        data = self.call_tool("woocommerce-orders-list", arguments)
        items = data.get("data") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise self._shape('woocommerce-orders-list should return {"data": [orders]}', data)
        return RawPage(items=items, store_time=self.last_store_time, request=f"woocommerce-orders-list offset={offset}")

    def _adapter_page(self, after: datetime, page: int) -> RawPage:
        parameters = {
            "modified_after": wc_datetime(after),
            "orderby": "date_modified",
            "order": "asc",
            "per_page": self.config.per_page,
            "page": page,
        }
        data = self.call_tool("mcp-adapter-execute-ability", {"ability_name": ORDERS_QUERY, "parameters": parameters})
        body = data.get("data") if isinstance(data, dict) else None
        if not isinstance(data, dict) or data.get("success") is not True or not isinstance(body, dict):
            raise self._shape(f"{ORDERS_QUERY} did not succeed", data)
        orders = body.get("orders")
        if not isinstance(orders, list):
            raise self._shape(f"{ORDERS_QUERY} returned no orders list", data)
        total_pages = body.get("total_pages") if isinstance(body.get("total_pages"), int) else None
        return RawPage(
            items=orders,
            store_time=self.last_store_time,
            total_pages=total_pages,
            request=f"{ORDERS_QUERY} page={page}",
        )

    def _shape(self, message: str, data: Any) -> InvalidResponseError:
        return InvalidResponseError(
            message, store=self.config.name, request=f"{self.config.base_url}{self.path}", sample=repr(data)[:300]
        )

    def iter_modified_orders(self, after: datetime, *, resume: Cursor | None = None) -> Iterator[OrderPage]:
        """Yield pages of orders modified after `after`; no totals, so a short page ends it."""
        if self.config.api == "mcp-legacy":
            fetch = partial(self._legacy_window, after)
            return seek_pages(fetch, store=self.config.name, per_page=self.config.per_page, resume=resume)
        fetch = partial(self._adapter_page, after)
        return numbered_pages(fetch, store=self.config.name, per_page=self.config.per_page, resume=resume)

    def get_order(self, order_id: int) -> Order:
        self._legacy_only("reading one order")
        data = self.call_tool("woocommerce-orders-get", {"id": int(order_id)})
        raw = data.get("data") if isinstance(data, dict) and isinstance(data.get("data"), dict) else data
        try:
            return parse_order(raw)
        except OrderParseError as exc:
            raise self._shape(str(exc), data) from None

    def list_refunds(self, order_id: int) -> list[RefundRecord]:
        """Return the order's refunds as its `refunds` list shows them (no dates over MCP)."""
        order = self.get_order(order_id)
        return [RefundRecord(r.id, r.reason, -r.total, None, {"id": r.id}) for r in order.refunds]

    def _legacy_only(self, what: str) -> None:
        if self.config.api != "mcp-legacy":
            raise UnsupportedOperationError(
                f"the MCP adapter's orders-query ability offers no {what}; give this store REST keys for it",
                store=self.config.name,
            )

    # --- diagnosis -------------------------------------------------------------------------
    def test_connection(self, *, need_write: bool = False) -> ConnectionReport:
        report = ConnectionReport(store=self.config.name, api=self.config.api)
        try:
            self._initialize()
        except NotFoundError:
            where = (
                "WooCommerce 10.3.6 to 10.8 with the mcp_integration feature"
                if self.config.api == "mcp-legacy"
                else "WooCommerce 10.9+ with the MCP adapter"
            )
            report.add("endpoint", False, f"no MCP endpoint at {self.path}: it needs {where}")
            return report
        except AuthenticationError as exc:
            what = "API key (ck_…:cs_…)" if self.config.api == "mcp-legacy" else "user name and application password"
            report.add("credentials", False, f"the store refused the {what}: {exc.message}")
            return report
        except StoreError as exc:
            report.add("endpoint", False, f"the MCP endpoint failed: {exc.message}")
            return report
        report.add("session", True, f"MCP session opened at {self.path}")
        try:
            next(iter(self.iter_modified_orders(datetime.fromisoformat("2000-01-01T00:00:00+00:00"))))
            report.add("read orders", True, "orders can be read over MCP")
        except StoreError as exc:
            report.add("read orders", False, f"listing orders over MCP failed: {exc.message}")
        if need_write:
            report.can_write = False
            report.add(
                "write", False, "webhooks cannot be registered over MCP; add REST keys with Read/Write permission"
            )
        report.store_time = self.last_store_time
        return report

    def close(self) -> None:
        if self.session_id:
            # Ending the session is a courtesy; the server times it out anyway.
            with contextlib.suppress(httpx.HTTPError):
                self._http.request("DELETE", self.path, headers={"Mcp-Session-Id": self.session_id}, timeout=2.0)
            self.session_id = None
        self._http.close()

    def __enter__(self) -> McpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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
