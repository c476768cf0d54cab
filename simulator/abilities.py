"""The MCP adapter's tools as WooCommerce 10.9.4 serves them, over the WordPress Abilities API.

Three tools: discover the abilities, describe one, execute one. Of the abilities only
`woocommerce/orders-query` runs here. Its tools, abilities and schemas are the ones a real
10.9.4 store published (mcp_adapter.json, copied from tests/fixtures/mcp-adapter-10.9), and
it behaves as that store did:

- parameters are checked against the published input schema (no `offset`, nothing extra);
  anything refused fails with the adapter's generic text, which names neither the
  parameter nor the reason;
- `modified_after` & co. without an offset are read in the store's time zone (abilities
  have no `dates_are_gmt`);
- `orderby` other than `id` names no tie-breaker: orders modified in the same second come
  in an order that changes from one query to the next, so pages overlap and skip;
- orders are thin (simulator.payloads.thin_order_json); pages are numbered, and answer
  `total_pages` but no total.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from simulator.params import parse_date
from simulator.payloads import SimOrder, thin_order_json
from simulator.store import SimulatedStore
from simulator.tools import UnknownTool, php_json_text, tool_result

PUBLISHED = json.loads(Path(__file__).with_name("mcp_adapter.json").read_text())
ORDERS_QUERY = "woocommerce/orders-query"
ORDERS_QUERY_SCHEMA: dict[str, Any] = PUBLISHED[ORDERS_QUERY]["input_schema"]
GENERIC_FAILURE = "An error occurred while executing the tool."
SORT_FIELDS = {"id": "id", "date": "created", "date_modified": "modified", "total": "total"}
DATE_BOUNDS = {"date_after": "after", "date_before": "before", "modified_after": "modified_after",
               "modified_before": "modified_before"}  # fmt: skip


class Refused(Exception):
    """The ability refused its input; the adapter tells the caller no more than GENERIC_FAILURE."""


def result(structured: Any) -> dict[str, Any]:
    """Return an MCP tool result carrying `structured`, its text encoded as PHP's json_encode would."""
    return tool_result(structured, encode=php_json_text)


def failure(text: str) -> dict[str, Any]:
    """Return an MCP tool result that reports an error (isError) with `text`."""
    return tool_result(text, error=True)


class AdapterTools:
    """The MCP adapter default server's tools for one simulated store."""

    def __init__(self, store: SimulatedStore) -> None:
        self.store = store

    def server_info(self) -> dict[str, Any]:
        """Return what the adapter's `initialize` answers, as recorded from a real store."""
        return PUBLISHED["initialize"]

    def list(self) -> list[dict[str, Any]]:
        """Return the adapter's three tools, as recorded from a real store."""
        return PUBLISHED["tools"]

    def call(self, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """Run one of the adapter's tools (discover, get info, execute an ability); raise UnknownTool otherwise."""
        if tool == "mcp-adapter-discover-abilities":
            return result({"abilities": PUBLISHED["abilities"]})
        if tool == "mcp-adapter-get-ability-info":
            name = arguments.get("ability_name")
            if name == ORDERS_QUERY:
                return result(PUBLISHED[ORDERS_QUERY])
            return failure(f"Permission denied: Ability '{name}' not found")
        if tool == "mcp-adapter-execute-ability":
            return self._execute(arguments)
        raise UnknownTool(tool)

    def _execute(self, arguments: dict[str, Any]) -> dict[str, Any]:
        for required in ("ability_name", "parameters"):
            if required not in arguments:
                return failure(
                    'Ability "mcp-adapter/execute-ability" has invalid input. '
                    f"Reason: {required} is a required property of input."
                )
        for extra in sorted(set(arguments) - {"ability_name", "parameters"}):
            return failure(
                'Ability "mcp-adapter/execute-ability" has invalid input. '
                f"Reason: {extra} is not a valid property of Object."
            )
        name = arguments["ability_name"]
        if name not in {ability["name"] for ability in PUBLISHED["abilities"]}:
            return failure(f"Permission denied: Ability '{name}' not found")
        if name != ORDERS_QUERY:
            return failure(GENERIC_FAILURE)  # the other abilities are not simulated
        try:
            data = self.orders_query(arguments["parameters"])
        except Refused:
            return failure(GENERIC_FAILURE)
        return result({"success": True, "data": data})

    # --- woocommerce/orders-query -----------------------------------------------------------
    def orders_query(self, parameters: Any) -> dict[str, Any]:
        """Run the ability; return `{orders, total_pages, page, per_page}` or raise Refused."""
        check(parameters, ORDERS_QUERY_SCHEMA)
        line_items = bool(parameters.get("include_line_items", False))
        store = self.store
        if "id" in parameters:
            order = store.orders.get(parameters["id"])
            if order is None or order.status == "trash":
                raise Refused
            return {"orders": [self._thin(order, line_items)], "total_pages": 1, "page": 1, "per_page": 1}
        bounds = {bound: None for bound in DATE_BOUNDS.values()}
        for name, bound in DATE_BOUNDS.items():
            if name in parameters:
                bounds[bound] = store.ability_date(parameters[name])
        if store.ignores_modified_after:
            bounds["modified_after"] = None
        # wc_get_orders() reads every registered order status but trash.
        statuses = {parameters["status"]} if "status" in parameters else set(store.statuses()) - {"trash"}
        orderby = parameters.get("orderby", "date")
        matched = store.matching(
            bounds,
            statuses,
            exclude=tuple(sorted(parameters.get("exclude", ()))),
            sort_field=SORT_FIELDS[orderby],
            descending=parameters.get("order", "desc") == "desc",
            stable=orderby == "id",
        )
        matched = [order for order in matched if _kept(order, parameters)]
        per_page, page = store.capped(parameters.get("per_page", 10)), parameters.get("page", 1)
        start = (page - 1) * per_page
        with store.lock:
            orders = [self._thin(order, line_items) for order in matched[start : start + per_page]]
        return {"orders": orders, "total_pages": math.ceil(len(matched) / per_page), "page": page, "per_page": per_page}

    def _thin(self, order: SimOrder, line_items: bool) -> dict[str, Any]:
        return thin_order_json(order, self.store.local, line_items=line_items)


def _kept(order: SimOrder, parameters: dict[str, Any]) -> bool:
    if "customer_id" in parameters and order.customer_id != parameters["customer_id"]:
        return False
    if "billing_email" in parameters and order.email != parameters["billing_email"]:
        return False
    return "parent" not in parameters  # simulated orders have no parent order


def check(value: Any, schema: dict[str, Any]) -> None:
    """Raise Refused unless `value` fits the (flat) JSON schema the ability publishes."""
    if not isinstance(value, dict):
        raise Refused
    properties = schema.get("properties", {})
    for name, item in value.items():
        if name not in properties or not _fits(item, properties[name]):
            raise Refused


def _fits(value: Any, schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    if kind == "integer":
        fits = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "boolean":
        fits = isinstance(value, bool)
    elif kind == "string":
        fits = isinstance(value, str)
    elif kind == "array":
        return isinstance(value, list) and all(_fits(item, schema.get("items", {})) for item in value)
    else:
        fits = True
    if not fits:
        return False
    if "enum" in schema and value not in schema["enum"]:
        return False
    if "minimum" in schema and value < schema["minimum"]:
        return False
    if "maximum" in schema and value > schema["maximum"]:
        return False
    if schema.get("format") == "date-time":
        return parse_date(value) is not None
    if schema.get("format") == "email":
        return "@" in value
    return True
