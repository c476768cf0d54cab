"""Route one HTTP request of the simulated store to its REST, MCP or control handler."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from simulator.authentication import NonceBook, authenticate
from simulator.control import handle_control
from simulator.errors import ApiError
from simulator.mcp import ADAPTER_PATH, LEGACY_PATH, McpEndpoint
from simulator.replies import Reply
from simulator.store import SimulatedStore
from simulator.webhooks import WebhookHub

WC = "/wp-json/wc/v3"
ORDER = re.compile(rf"^{WC}/orders/(\d+)$")
REFUNDS = re.compile(rf"^{WC}/orders/(\d+)/refunds$")
NOTES = re.compile(rf"^{WC}/orders/(\d+)/notes$")
WEBHOOK = re.compile(rf"^{WC}/webhooks/(\d+)$")
CONTROL = "/_simulator"
NOT_FOUND_HTML = b"<!DOCTYPE html><html><head><title>Page not found</title></head><body>404</body></html>"


class Router:
    """Everything the store answers, minus the socket handling."""

    def __init__(self, store: SimulatedStore, hub: WebhookHub, stats: Callable[[], dict[str, Any]] = dict) -> None:
        self.store = store
        self.hub = hub
        self.stats = stats  # the server's request counts, for GET /_simulator/state
        self.nonces = NonceBook()
        self.mcp = {"legacy": McpEndpoint(store, "legacy"), "adapter": McpEndpoint(store, "adapter")}

    def dispatch(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
        """Answer one HTTP request as the simulated WordPress/WooCommerce site would (control API included)."""
        path = urlsplit(target).path
        try:
            if path.startswith(CONTROL):
                return self._control(method, path, body)
            if path in ("/", ""):
                # WordPress announces its REST API on every page, even when /wp-json/ is unusable.
                link = f'<{self.store.base_url}/wp-json/>; rel="https://api.w.org/"'
                return Reply(200, b"<html><body>Shop</body></html>", {"Content-Type": "text/html", "Link": link})
            if not self.store.rest_enabled:
                # Pretty permalinks off or the REST API blocked: WordPress serves its HTML 404.
                return Reply(404, NOT_FOUND_HTML, {"Content-Type": "text/html; charset=UTF-8"})
            if path.rstrip("/") == "/wp-json":
                namespaces = ["oembed/1.0", "wp/v2"]
                if self.store.woocommerce_active:
                    namespaces += ["wc/v3", "wc/v2", "wc/v1"]
                return Reply(200, {"name": "Simulated shop", "url": self.store.base_url, "namespaces": namespaces})
            if path in (LEGACY_PATH, ADAPTER_PATH):
                endpoint = self.mcp["legacy" if path == LEGACY_PATH else "adapter"]
                status, reply_headers, reply_body = endpoint.handle(method, headers, body)
                return Reply(status, reply_body, reply_headers)
            if path.startswith(WC + "/") and self.store.woocommerce_active:
                return self._rest(method, target, path, headers, body)
            raise ApiError(404, "rest_no_route", "No route was found matching the URL and request method.")
        except ApiError as exc:
            return Reply(exc.status, exc.body())

    # --- REST v3 ------------------------------------------------------------------------
    def _rest(self, method: str, target: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        # As in WordPress: bad credentials fail first, then an unknown route, then permissions.
        key = authenticate(self.store, self.nonces, method, target, headers)
        if not _is_route(method, path):
            raise ApiError(404, "rest_no_route", "No route was found matching the URL and request method.")
        if key is None:
            action = "list" if method == "GET" else "create"
            raise ApiError(401, "woocommerce_rest_cannot_view", f"Sorry, you cannot {action} resources.")
        if not key.may(method):
            need = "read" if method == "GET" else "write"
            message = f"The API key provided does not have {need} permissions."
            raise ApiError(401, "woocommerce_rest_authentication_error", message)
        query = parse_qs(urlsplit(target).query, keep_blank_values=True)
        if path == f"{WC}/orders" and method == "GET":
            return self._list_orders(path, query)
        if (match := ORDER.match(path)) and method == "GET":
            with self.store.lock:
                return Reply(200, self.store.render(self.store.order(int(match[1]))))
        if (match := REFUNDS.match(path)) and method == "GET":
            return Reply(200, self.store.render_refunds(int(match[1])))
        if (match := NOTES.match(path)) and method == "GET":
            return Reply(200, self.store.render_notes(int(match[1])))
        if path == f"{WC}/system_status" and method == "GET":
            return Reply(200, {"environment": {"home_url": self.store.base_url, "version": self.store.version}})
        if path == f"{WC}/webhooks":
            if method == "POST":
                return self._create_webhook(body)
            if method == "GET":
                return Reply(200, [self.hub.render(hook) for hook in self.hub.webhooks.values()])
        if match := WEBHOOK.match(path):
            if method == "GET":
                return Reply(200, self.hub.render(self.hub.get(int(match[1]))))
            if method == "PUT":
                return Reply(200, self.hub.render(self.hub.update(int(match[1]), self._json(body))))
            if method == "DELETE":
                if query.get("force", [""])[-1] not in ("true", "1"):
                    raise ApiError(501, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.")
                return Reply(200, self.hub.render(self.hub.delete(int(match[1]))))
        raise ApiError(404, "rest_no_route", "No route was found matching the URL and request method.")

    def _list_orders(self, path: str, query: dict[str, list[str]]) -> Reply:
        orders, total, pages = self.store.list_orders(query)
        with self.store.lock:
            items = [_trimmed(self.store.render(order), query) for order in orders]
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        page = int(query.get("page", ["1"])[-1] or 1)
        links = []
        if page > 1:
            links.append(f'<{self._link(path, query, page - 1)}>; rel="prev"')
        if page < pages:
            links.append(f'<{self._link(path, query, page + 1)}>; rel="next"')
        if links:
            headers["Link"] = ", ".join(links)
        return Reply(200, items, headers, is_list_page=True)

    def _link(self, path: str, query: dict[str, list[str]], page: int) -> str:
        # As WooCommerce writes them: status[0]=any, dp and context added, booleans as 1.
        params = {name: values[-1] for name, values in query.items() if not name.startswith(("oauth_", "consumer_"))}
        params.update({"page": str(page), "status[0]": "any", "dp": "2", "context": "view"})
        if params.get("dates_are_gmt") == "true":
            params["dates_are_gmt"] = "1"
        return f"{self.store.base_url}{path}?{urlencode(params)}"

    def _create_webhook(self, body: bytes) -> Reply:
        data = self._json(body)
        webhook = self.hub.create(
            name=str(data.get("name", "")),
            topic=str(data.get("topic", "")),
            delivery_url=str(data.get("delivery_url", "")),
            secret=str(data.get("secret", "")),
            status=str(data.get("status", "active")),
        )
        return Reply(201, self.hub.render(webhook, edit_context=True))

    @staticmethod
    def _json(body: bytes) -> dict[str, Any]:
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            raise ApiError(400, "rest_invalid_json", "Invalid JSON body passed.") from None
        if not isinstance(data, dict):
            raise ApiError(400, "rest_invalid_json", "Invalid JSON body passed.")
        return data

    # --- control API (loopback only, no auth: a test fixture) ----------------------------
    def _control(self, method: str, path: str, body: bytes) -> Reply:
        return handle_control(
            self.store, self.hub, self.mcp.values(), method, path[len(CONTROL) :], body, stats=self.stats
        )


def _trimmed(item: dict[str, Any], query: dict[str, list[str]]) -> dict[str, Any]:
    """Keep only the `_fields` asked for, as WordPress's rest_filter_response_fields() does."""
    fields = [name.strip() for value in query.get("_fields", []) for name in value.split(",") if name.strip()]
    return {name: value for name, value in item.items() if name in fields} if fields else item


def _is_route(method: str, path: str) -> bool:
    if path in (f"{WC}/orders", f"{WC}/system_status") or ORDER.match(path) or REFUNDS.match(path) or NOTES.match(path):
        return method == "GET"
    if path == f"{WC}/webhooks":
        return method in ("GET", "POST")
    if WEBHOOK.match(path):
        return method in ("GET", "PUT", "DELETE")
    return False
