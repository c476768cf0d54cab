"""The WooCommerce MCP client: orders over a store's MCP endpoint, in both shipped flavours.

- "mcp-legacy": WooCommerce's own server (10.3.6 on, still answering on 10.9.4),
  /wp-json/woocommerce/mcp with the REST keys in X-MCP-API-Key. Its tools run the REST
  controller, so orders are full REST objects and listings page by id and offset exactly
  as REST does (shop.woocommerce.rest), with `dates_are_gmt`.
- "mcp-adapter": the WordPress MCP adapter's default server (10.9 on),
  /wp-json/mcp/mcp-adapter-default-server with an application password. Its
  `woocommerce/orders-query` ability differs (tests/fixtures/mcp-adapter-10.9): times
  without an offset are read in the store's time zone, so ours carry `Z`; sorting by
  modification date has no tie-breaker and it pages by number only, so we sort by id and
  seek with page-number windows (shop.woocommerce.paging); orders are thin (no number,
  payment date, refunds or customer details; line items only if asked for). With the
  store's REST keys as well (StoreConfig.rest_key), each page is completed over REST and
  single orders and refunds are read there.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import partial
from typing import Any

import httpx
from django.utils.translation import gettext as _

from adolf.http import new_client
from shop.woocommerce.base import ConnectionReport, Cursor, OrderPage, UnsupportedOperationError
from shop.woocommerce.config import StoreConfig
from shop.woocommerce.coverage import blind_spots
from shop.woocommerce.dates import utc_with_offset, wc_datetime
from shop.woocommerce.errors import (
    INSECURE_TRANSPORT_CODE,
    AuthenticationError,
    InvalidResponseError,
    NotFoundError,
    StoreError,
    UnreadableOrderError,
    https_only,
)
from shop.woocommerce.jsonrpc import McpDisabledError, McpSession
from shop.woocommerce.orders import Order, OrderParseError, RefundRecord, UnreadableOrder, parse_order, read_order
from shop.woocommerce.paging import RawPage, Window, seek_pages
from shop.woocommerce.rest import MAX_PER_REQUEST, RestClient

PATHS = {"mcp-legacy": "/wp-json/woocommerce/mcp", "mcp-adapter": "/wp-json/mcp/mcp-adapter-default-server"}
EXECUTE_ABILITY = "mcp-adapter-execute-ability"
ORDERS_QUERY = "woocommerce/orders-query"
SINCE_EVER = datetime.fromisoformat("2000-01-01T00:00:00+00:00")


class McpClient:
    """Read orders over a store's MCP endpoint; every failure is a StoreError."""

    def __init__(self, config: StoreConfig, *, transport: httpx.BaseTransport | None = None) -> None:
        if config.api not in PATHS:
            raise ValueError(f"McpClient speaks {', '.join(PATHS)}, not {config.api}")
        self.config = config
        self.path = PATHS[config.api]
        self.legacy = config.api == "mcp-legacy"
        self._http = new_client(
            base_url=config.base_url,
            timeout=httpx.Timeout(config.timeout, connect=min(config.timeout, 5.0)),
            auth=None if self.legacy else httpx.BasicAuth(config.key, config.secret),
            headers={
                "Accept": "application/json, text/event-stream",
                **({"X-MCP-API-Key": f"{config.key}:{config.secret}"} if self.legacy else {}),
            },
            transport=transport,
            extra_ca=config.ca_certificate,
        )
        self.session = McpSession(self._http, path=self.path, store=config.name, base_url=config.base_url)
        rest_config = None if self.legacy else config.rest_config()
        # The adapter's orders lack what REST has; with the store's REST keys, REST fills it in.
        self.rest = RestClient(rest_config, transport=transport) if rest_config else None

    @property
    def last_store_time(self) -> datetime | None:
        """The store's clock as its last answer's HTTP Date said it (None before any answer)."""
        return self.session.last_store_time

    def call_tool(self, name: str, arguments: dict[str, Any]) -> Any:
        """Call one MCP tool with `arguments`; return its structured result, raise StoreError when it fails."""
        return self.session.call_tool(name, arguments)

    # --- orders --------------------------------------------------------------------------
    def _legacy_window(self, after: datetime, window: Window) -> RawPage:
        arguments = {
            # The REST controller reads these: naive UTC with dates_are_gmt (see shop.woocommerce.dates).
            "modified_after": wc_datetime(after),
            "dates_are_gmt": True,
            "orderby": "id",
            "order": "asc",
            "per_page": window.limit,
            "offset": window.offset,
        }
        data = self.call_tool("woocommerce-orders-list", arguments)
        items = data.get("data") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise self._shape('woocommerce-orders-list should return {"data": [orders]}', data)
        return RawPage(
            items=items, store_time=self.last_store_time, request=f"woocommerce-orders-list offset={window.offset}"
        )

    def _adapter_window(self, after: datetime, window: Window) -> RawPage:
        parameters = {
            "modified_after": utc_with_offset(after),
            "orderby": "id",
            "order": "asc",
            "per_page": window.limit,
            "page": window.page,
            "include_line_items": True,
        }
        data = self.call_tool(EXECUTE_ABILITY, {"ability_name": ORDERS_QUERY, "parameters": parameters})
        body = data.get("data") if isinstance(data, dict) else None
        if not isinstance(data, dict) or data.get("success") is not True or not isinstance(body, dict):
            raise self._shape(f"{ORDERS_QUERY} did not succeed", data)
        orders = body.get("orders")
        if not isinstance(orders, list):
            raise self._shape(f"{ORDERS_QUERY} returned no orders list", data)
        total_pages = body.get("total_pages")
        return RawPage(
            items=orders,
            store_time=self.last_store_time,
            total_pages=total_pages if isinstance(total_pages, int) and not isinstance(total_pages, bool) else None,
            request=f"{ORDERS_QUERY} page={window.page} per_page={window.limit}",
        )

    def complete(self, thin: list[Any]) -> list[Any]:
        """Replace thin orders by their REST objects, when the store's REST keys are configured.

        An order REST no longer lists (trashed since) keeps its thin version.
        """
        if self.rest is None:
            return thin
        ids = [item["id"] for item in thin if isinstance(item, dict) and isinstance(item.get("id"), int)]
        full = {item.get("id"): item for item in self.rest.orders_by_id(ids) if isinstance(item, dict)}
        return [full.get(item.get("id"), item) if isinstance(item, dict) else item for item in thin]

    def _shape(self, message: str, data: Any) -> InvalidResponseError:
        return InvalidResponseError(
            message, store=self.config.name, request=f"{self.config.base_url}{self.path}", sample=repr(data)
        )

    def iter_modified_orders(self, after: datetime, *, resume: Cursor | None = None) -> Iterator[OrderPage]:
        """Yield pages of orders modified after `after`, by ascending id; a short page ends it."""
        common = {"store": self.config.name, "per_page": self.config.per_page, "resume": resume, "after": after}
        if self.legacy:
            return seek_pages(partial(self._legacy_window, after), **common)
        complete = self.complete if self.rest is not None else None
        return seek_pages(partial(self._adapter_window, after), numbered=True, complete=complete, **common)

    def get_order(self, order_id: int) -> Order:
        """Return one order: over REST when the store has REST keys, else through the legacy endpoint's tool.

        Raises UnsupportedOperationError on an adapter store without REST keys, UnreadableOrderError for an
        order that cannot be parsed, StoreError on other failures.
        """
        if self.rest is not None:
            return self.rest.get_order(order_id)
        self._legacy_only("reading one order")
        data = self.call_tool("woocommerce-orders-get", {"id": int(order_id)})
        raw = data.get("data") if isinstance(data, dict) and isinstance(data.get("data"), dict) else data
        try:
            return parse_order(raw)
        except OrderParseError as exc:
            request = f"{self.config.base_url}{self.path}"
            raise UnreadableOrderError(
                str(exc), order_id=order_id, store=self.config.name, request=request, sample=repr(data)
            ) from None

    def read_orders(self, order_ids: list[int]) -> list[Order | UnreadableOrder]:
        """Return the given orders as the store serves them now, 100 a call (see RestClient.read_orders).

        Over REST when the store's REST keys are set; else, on the legacy server, with
        `woocommerce-orders-list` and `include` (its tools run the REST controller). The
        adapter's orders-query ability takes no ids: UnsupportedOperationError.
        """
        if self.rest is not None:
            return self.rest.read_orders(order_ids)
        self._legacy_only("reading orders by id")
        ids = sorted(set(order_ids))
        found: list[Order | UnreadableOrder] = []
        for start in range(0, len(ids), MAX_PER_REQUEST):
            chunk = ids[start : start + MAX_PER_REQUEST]
            arguments = {"include": chunk, "per_page": len(chunk), "orderby": "id", "order": "asc"}
            data = self.call_tool("woocommerce-orders-list", arguments)
            items = data.get("data") if isinstance(data, dict) else None
            if not isinstance(items, list):
                raise self._shape('woocommerce-orders-list should return {"data": [orders]}', data)
            found += [read_order(item) for item in items]
        return found

    def list_refunds(self, order_id: int) -> list[RefundRecord]:
        """Return the order's refunds: over REST when it can, else as the order's `refunds` list shows them."""
        if self.rest is not None:
            return self.rest.list_refunds(order_id)
        order = self.get_order(order_id)
        return [RefundRecord(r.id, r.reason, -r.total, None, {"id": r.id}) for r in order.refunds]

    def _legacy_only(self, what: str) -> None:
        if not self.legacy:
            raise UnsupportedOperationError(
                f"the MCP adapter's orders-query ability offers no {what}; give this store its REST keys as well",
                store=self.config.name,
            )

    # --- diagnosis -------------------------------------------------------------------------
    def test_connection(self, *, need_write: bool = False) -> ConnectionReport:
        """Check the MCP endpoint (session, credentials, reading orders), then its REST keys if any.

        What the adapter's API cannot show goes to `notes` (shop.woocommerce.coverage), not to failures.
        """
        report = ConnectionReport(store=self.config.name, api=self.config.api)
        try:
            self.session.initialize()
        except McpDisabledError as exc:
            said = _("%(error)s; this endpoint needs WooCommerce %(version)s or later")
            report.add("endpoint", False, said % {"error": exc.message, "version": self._needs})
            return report
        except NotFoundError as exc:
            report.add(
                "endpoint",
                False,
                _(
                    "no MCP endpoint at %(path)s (%(error)s): is this WooCommerce %(version)s or later, "
                    "with its MCP feature on?"
                )
                % {"path": self.path, "error": exc.message, "version": self._needs},
            )
            return report
        except AuthenticationError as exc:
            if exc.code == INSECURE_TRANSPORT_CODE:
                # Refused before the key was looked at: the address is what is wrong.
                report.add("https", False, f"{https_only()} (HTTP {exc.status} {exc.code})")
                return report
            if self.legacy:
                said = _("the store refused the API key (ck_…:cs_…): %(error)s")
            else:
                said = _("the store refused the user name and application password: %(error)s")
            report.add("credentials", False, said % {"error": exc.message})
            return report
        except StoreError as exc:
            report.add("endpoint", False, _("the MCP endpoint failed: %(error)s") % {"error": exc.message})
            return report
        report.add("session", True, _("MCP session opened at %(path)s") % {"path": self.path})
        try:
            next(iter(self.iter_modified_orders(SINCE_EVER)))
            report.add("read orders", True, _("orders can be read over MCP"))
        except StoreError as exc:
            report.add("read orders", False, _("listing orders over MCP failed: %(error)s") % {"error": exc.message})
        if self.rest is not None:
            self._check_rest(report, self.rest, need_write=need_write)
        elif need_write and self.legacy:
            # The legacy endpoint's keys are REST keys: webhooks are registered with them over REST.
            with RestClient(self.config.rest_config()) as rest:
                self._check_rest(report, rest, need_write=True)
        elif need_write:
            report.can_write = False
            report.add(
                "write", False, _("webhooks are registered over REST; give this store REST keys with Read/Write")
            )
        report.notes.extend(blind_spots(self.config.api, has_rest_keys=self.rest is not None))
        report.store_time = self.last_store_time
        return report

    @property
    def _needs(self) -> str:
        return "10.3.6" if self.legacy else "10.9"

    def _check_rest(self, report: ConnectionReport, client: RestClient, *, need_write: bool) -> None:
        """Check the store's REST keys as a REST store's own test does, and add what they say."""
        rest = client.test_connection(need_write=need_write)
        for finding in rest.findings:
            if finding.name not in ("reachable", "clock"):
                report.add(f"REST {finding.name}", finding.ok, f"REST: {finding.detail}", severity=finding.severity)
        report.can_write = rest.can_write
        report.version = rest.version

    def close(self) -> None:
        """Close the MCP session, its HTTP client and the REST client if there is one."""
        self.session.close()
        self._http.close()
        if self.rest is not None:
            self.rest.close()

    def __enter__(self) -> McpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
