"""The simulator's HTTP control API, for the demo and for processes other than the test's.

POST /_simulator/orders {"status", "total", ...}        create an order
POST /_simulator/orders/<id>/status {"status"}          move it
POST /_simulator/orders/<id>/refunds {"amount", "reason"} refund it (no amount: fully)
POST /_simulator/orders/<id>/touch                      bump its modified date only (viewed in wp-admin)
POST /_simulator/orders/<id>/poison {field: value, ...} serve these fields as given ({}: heal it)
POST /_simulator/behaviour {"page_cap", "ignores_modified_after", "clock_offset_seconds", "sends_date",
                           "language"}                  how the order query and the store's clock bend,
                                                        and the site language notes are written in
POST /_simulator/faults {"kind", "times", "path", ...}  inject a fault (see store.Fault)
POST /_simulator/clock {"offset_seconds"}               shift the store's clock
POST /_simulator/host {"strips_authorization", "redirect_to"}  the host's habits (see SimulatedStore)
POST /_simulator/mcp/expire                             drop every MCP session
POST /_simulator/webhooks/<id> {"status", "api_version"} disable a webhook (as WooCommerce does after
                                                        repeated failures) or send legacy bodies
GET  /_simulator/state                                  counts of orders, webhooks, deliveries, requests
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from simulator.errors import ApiError
from simulator.mcp import McpEndpoint
from simulator.notes import LANGUAGES
from simulator.replies import Reply
from simulator.store import Fault, SimulatedStore
from simulator.webhooks import WebhookHub

ORDER_ACTION = re.compile(r"^/orders/(\d+)/(status|refunds|touch|poison)$")
WEBHOOK = re.compile(r"^/webhooks/(\d+)$")
FAULT_FIELDS = set(Fault.__dataclass_fields__)


def handle_control(
    store: SimulatedStore,
    hub: WebhookHub,
    mcp_endpoints: Iterable[McpEndpoint],
    method: str,
    path: str,
    body: bytes,
    *,
    stats: Callable[[], dict[str, Any]] = dict,
) -> Reply:
    """Answer one control request (`path` without the /_simulator prefix); raise ApiError for a bad one."""
    try:
        data: dict[str, Any] = json.loads(body) if body else {}
    except ValueError:
        raise ApiError(400, "invalid_json", "the body must be JSON") from None
    if method == "GET" and path == "/state":
        return Reply(200, {
            "orders": len(store.orders),
            "webhooks": len(hub.webhooks),
            "deliveries": len(hub.deliveries),
            "clock": store.now().isoformat(),
            **stats(),
        })  # fmt: skip
    if method != "POST":
        raise ApiError(405, "method_not_allowed", "use POST")
    if path == "/orders":
        allowed = {"status", "total", "currency", "first_name", "last_name", "email", "phone", "customer_note", "items"}
        order = store.create_order(**{name: value for name, value in data.items() if name in allowed})
        with store.lock:
            return Reply(201, store.render(order))
    if match := ORDER_ACTION.match(path):
        order_id = int(match[1])
        if match[2] in ("status", "touch", "poison"):
            if match[2] == "status":
                order = store.set_status(order_id, str(data.get("status", "")))
            elif match[2] == "touch":
                order = store.touch(order_id)
            else:
                order = store.poison(order_id, **data)
            with store.lock:
                return Reply(200, store.render(order))
        refund = store.refund(order_id, data.get("amount"), str(data.get("reason", "")))
        return Reply(201, {"id": refund.id, "amount": f"{refund.amount:.2f}"})
    if path == "/faults":
        options = {name: value for name, value in data.items() if name in FAULT_FIELDS and name != "kind"}
        store.inject(str(data.get("kind", "status")), **options)
        return Reply(201, {"injected": data.get("kind", "status")})
    if path == "/behaviour":
        cap = data.get("page_cap", store.page_cap)
        if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 1):
            raise ApiError(400, "invalid_param", "page_cap must be a positive integer or null")
        offset = data.get("clock_offset_seconds", store.clock_offset.total_seconds())
        if isinstance(offset, bool) or not isinstance(offset, int | float):
            raise ApiError(400, "invalid_param", "clock_offset_seconds must be a number (negative: set back)")
        # Each habit is set on its own: one left out of the body stays as it was.
        ignores = bool(data.get("ignores_modified_after", store.ignores_modified_after))
        sends_date = bool(data.get("sends_date", store.sends_date))
        language = data.get("language", store.language)
        if language not in LANGUAGES:
            raise ApiError(400, "invalid_param", f"language must be one of {', '.join(sorted(LANGUAGES))}")
        with store.lock:
            store.page_cap, store.ignores_modified_after, store.sends_date = cap, ignores, sends_date
            store.language = language
            store.set_clock_offset(offset)
        return Reply(200, {
            "page_cap": store.page_cap, "ignores_modified_after": store.ignores_modified_after,
            "clock_offset_seconds": store.clock_offset.total_seconds(), "sends_date": store.sends_date,
            "language": store.language,
        })  # fmt: skip
    if path == "/clock":
        store.set_clock_offset(float(data.get("offset_seconds", 0)))
        return Reply(200, {"clock": store.now().isoformat()})
    if match := WEBHOOK.match(path):
        changes = {name: data[name] for name in ("status", "api_version") if name in data}
        return Reply(200, hub.render(hub.update(int(match[1]), changes)))
    if path == "/host":
        with store.lock:
            if "strips_authorization" in data:
                store.strips_authorization = bool(data["strips_authorization"])
            if "redirect_to" in data:
                store.redirect_to = str(data["redirect_to"] or "").rstrip("/")
            return Reply(200, {"strips_authorization": store.strips_authorization, "redirect_to": store.redirect_to})
    if path == "/mcp/expire":
        for endpoint in mcp_endpoints:
            endpoint.expire_sessions()
        return Reply(200, {"expired": True})
    raise ApiError(404, "rest_no_route", "no such control endpoint")
