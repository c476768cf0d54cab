"""The WooCommerce REST API v3 client: orders, refunds and webhooks over adolf.http."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from functools import partial
from typing import Any

import httpx

from adolf.http import HttpError, describe, new_client, send, server_date
from shop.woocommerce.auth import rest_auth
from shop.woocommerce.base import ConnectionReport, Cursor, OrderPage
from shop.woocommerce.config import StoreConfig
from shop.woocommerce.dates import wc_datetime
from shop.woocommerce.errors import InvalidResponseError, UnreadableOrderError, body_sample, from_http_error
from shop.woocommerce.notes import OrderNote, parse_note
from shop.woocommerce.orders import (
    Order,
    OrderParseError,
    RefundRecord,
    UnreadableOrder,
    parse_order,
    parse_refund_record,
    read_order,
)
from shop.woocommerce.paging import RawPage, Window, seek_pages
from shop.woocommerce.rest_diagnosis import diagnose_rest

API_PATH = "/wp-json/wc/v3"
# What a lean listing asks for (WordPress trims any REST answer to `_fields`, since 4.9.8).
LEAN_FIELDS = "id,status,date_modified_gmt"
# The most orders one listing request serves (per_page 1–100; 101 is refused with 400).
MAX_PER_REQUEST = 100


def _int_header(response: httpx.Response, name: str) -> int | None:
    try:
        return int(response.headers[name])
    except (KeyError, ValueError):
        return None


class RestClient:
    """Talk to one store's /wp-json/wc/v3 with its keys; every failure is a StoreError."""

    def __init__(self, config: StoreConfig, *, transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        self.last_store_time: datetime | None = None
        self._http = new_client(
            base_url=config.base_url,
            timeout=httpx.Timeout(config.timeout, connect=min(config.timeout, 5.0)),
            auth=rest_auth(config),
            headers={"Accept": "application/json"},
            transport=transport,
            extra_ca=config.ca_certificate,
        )

    # --- plumbing -------------------------------------------------------------------
    def request(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, json_body: Any = None
    ) -> httpx.Response:
        """Send one request below /wp-json; return the 2xx response or raise a StoreError."""
        kwargs: dict[str, Any] = {"params": params}
        if json_body is not None:
            kwargs["json"] = json_body
        try:
            response = send(self._http, method, path, **kwargs)
        except HttpError as exc:
            if exc.response is not None:
                self.last_store_time = server_date(exc.response) or self.last_store_time
            raise from_http_error(exc, store=self.config.name, auth_mode=self.config.rest_auth) from exc
        self.last_store_time = server_date(response) or self.last_store_time
        return response

    def decode(self, response: httpx.Response, expect: type) -> Any:
        """Return the JSON body if it is of the expected type; else raise InvalidResponseError."""
        try:
            body = json.loads(response.content)
        except ValueError:
            raise InvalidResponseError(
                "the answer is not JSON (a caching plugin, a WAF page or PHP warnings in front of the API?)",
                store=self.config.name,
                request=describe(response.request),
                status=response.status_code,
                sample=body_sample(response),
            ) from None
        if not isinstance(body, expect):
            raise InvalidResponseError(
                f"expected a JSON {expect.__name__}, got {type(body).__name__}",
                store=self.config.name,
                request=describe(response.request),
                status=response.status_code,
                sample=body_sample(response),
            )
        return body

    def _invalid(self, response: httpx.Response, exc: Exception) -> InvalidResponseError:
        return InvalidResponseError(
            str(exc), store=self.config.name, request=describe(response.request), sample=body_sample(response)
        )

    # --- orders ----------------------------------------------------------------------
    def _orders_window(self, after: datetime, window: Window) -> RawPage:
        params = {
            # Naive UTC with dates_are_gmt: never an offset here (see shop.woocommerce.dates).
            "modified_after": wc_datetime(after),
            "dates_are_gmt": "true",
            "orderby": "id",
            "order": "asc",
            "per_page": window.limit,
            "offset": window.offset,
        }
        if self.config.lean_listing:
            params["_fields"] = LEAN_FIELDS
        response = self.request("GET", f"{API_PATH}/orders", params=params)
        return RawPage(
            items=self.decode(response, list),
            store_time=server_date(response),
            total=_int_header(response, "X-WP-Total"),
            total_pages=_int_header(response, "X-WP-TotalPages"),
            request=describe(response.request),
        )

    def iter_modified_orders(self, after: datetime, *, resume: Cursor | None = None) -> Iterator[OrderPage]:
        """Yield pages of every order modified strictly after `after`, drafts dropped.

        Orders come by ascending id, read as a seek (see paging.py), so orders modified,
        created or trashed while the pages are read neither shift others out of sight nor
        make the listing depend on how the store sorts equal modification times.
        """
        return seek_pages(
            partial(self._orders_window, after),
            store=self.config.name,
            per_page=self.config.per_page,
            resume=resume,
            after=after,
            complete=self._whole if self.config.lean_listing else None,
        )

    def _whole(self, lean: list[Any]) -> list[Any]:
        """Return the whole orders of a lean listing's rows; an order gone since is left out."""
        return self.orders_by_id([item["id"] for item in lean])

    def orders_by_id(self, order_ids: list[int]) -> list[dict[str, Any]]:
        """Return the REST objects of the given orders (up to 100) that still exist, as raw JSON."""
        if not order_ids:
            return []
        params = {"include": ",".join(map(str, order_ids)), "per_page": len(order_ids), "orderby": "id"}
        return self.decode(self.request("GET", f"{API_PATH}/orders", params=params), list)

    def read_orders(self, order_ids: list[int]) -> list[Order | UnreadableOrder]:
        """Return the given orders as the store serves them now: one `include` listing per 100 ids.

        Each item is an Order (drafts included: the caller drops them) or, for an object that
        cannot be one, an UnreadableOrder saying why. An id the store no longer lists is
        absent: trashed (`status=any` leaves trash out) or deleted for good.
        """
        ids = sorted(set(order_ids))
        found: list[Order | UnreadableOrder] = []
        for start in range(0, len(ids), MAX_PER_REQUEST):
            found += [read_order(item) for item in self.orders_by_id(ids[start : start + MAX_PER_REQUEST])]
        return found

    def get_order(self, order_id: int) -> Order:
        """Return one order; raise UnreadableOrderError if the store's answer is an order that cannot be parsed."""
        response = self.request("GET", f"{API_PATH}/orders/{int(order_id)}")
        try:
            return parse_order(self.decode(response, dict))
        except OrderParseError as exc:
            raise UnreadableOrderError(
                str(exc), order_id=order_id, store=self.config.name, request=describe(response.request),
                sample=body_sample(response),
            ) from None  # fmt: skip

    def list_refunds(self, order_id: int) -> list[RefundRecord]:
        """Return all of an order's refunds (`/orders/<id>/refunds`, 100 a page); raise StoreError on failure."""
        refunds: list[RefundRecord] = []
        page = 1
        while True:
            response = self.request(
                "GET", f"{API_PATH}/orders/{int(order_id)}/refunds", params={"per_page": 100, "page": page}
            )
            items = self.decode(response, list)
            try:
                refunds.extend(parse_refund_record(item) for item in items)
            except OrderParseError as exc:
                raise self._invalid(response, exc) from None
            total_pages = _int_header(response, "X-WP-TotalPages") or 1
            if len(items) < 100 or page >= total_pages:
                return refunds
            page += 1

    def order_notes(self, order_id: int) -> list[OrderNote]:
        """Return the order's notes, newest first (WooCommerce answers them all at once)."""
        response = self.request("GET", f"{API_PATH}/orders/{int(order_id)}/notes")
        try:
            return [parse_note(item) for item in self.decode(response, list)]
        except OrderParseError as exc:
            raise self._invalid(response, exc) from None

    # --- webhooks ----------------------------------------------------------------------
    def create_webhook(self, *, topic: str, delivery_url: str, secret: str, name: str = "ADOLF") -> dict[str, Any]:
        """Register a webhook (WooCommerce pings `delivery_url` first); return the created object."""
        body = {"name": name, "topic": topic, "delivery_url": delivery_url, "secret": secret, "status": "active"}
        response = self.request("POST", f"{API_PATH}/webhooks", json_body=body)
        created = self.decode(response, dict)
        if not isinstance(created.get("id"), int):
            raise self._invalid(response, ValueError("the created webhook has no id"))
        return created

    def delete_webhook(self, webhook_id: int) -> None:
        """Delete a webhook from the store for good (force=true: WooCommerce has no trash for webhooks)."""
        self.request("DELETE", f"{API_PATH}/webhooks/{int(webhook_id)}", params={"force": "true"})

    def list_webhooks(self) -> list[dict[str, Any]]:
        """Return every webhook of the store (GET /webhooks, page by page, 100 a page).

        Each is WooCommerce's webhook object: id, name, status (active, paused, disabled),
        topic, delivery_url, date_modified_gmt, …
        """
        hooks: list[dict[str, Any]] = []
        page = 1
        while True:
            params = {"per_page": self.config.per_page, "page": page}
            batch = self.decode(self.request("GET", f"{API_PATH}/webhooks", params=params), list)
            hooks.extend(hook for hook in batch if isinstance(hook, dict) and isinstance(hook.get("id"), int))
            if len(batch) < self.config.per_page:
                return hooks
            page += 1

    def update_webhook(self, webhook_id: int, **changes: Any) -> dict[str, Any]:
        """Change a webhook (PUT /webhooks/<id>), e.g. status="active"; return the updated object."""
        response = self.request("PUT", f"{API_PATH}/webhooks/{int(webhook_id)}", json_body=changes)
        return self.decode(response, dict)

    # --- diagnosis ---------------------------------------------------------------------
    def test_connection(self, *, need_write: bool = False) -> ConnectionReport:
        """Run the REST checks of shop.woocommerce.rest_diagnosis, in order."""
        return diagnose_rest(self, need_write=need_write)

    def close(self) -> None:
        """Close the HTTP client."""
        self._http.close()

    def __enter__(self) -> RestClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
