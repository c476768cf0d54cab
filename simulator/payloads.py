"""Render simulated orders and refunds as the JSON WooCommerce's REST API v3 sends."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

# The store's local wall-clock time of a moment (SimulatedStore.local).
ToLocal = Callable[[datetime], datetime]
# What WooCommerce's abilities print as `currency_symbol` (get_woocommerce_currency_symbol, entities decoded).
CURRENCY_SYMBOLS = {"RUB": "₽", "USD": "$", "EUR": "€", "GBP": "£"}


@dataclass
class SimRefund:
    """One refund of a simulated order: amount (positive), reason, creation time, who refunded."""

    id: int
    amount: Decimal
    reason: str
    created: datetime
    refunded_by: int = 1


@dataclass
class SimItem:
    """A product line: the name as WooCommerce sends it (HTML entities escaped), how many, the variation."""

    name: str
    quantity: int = 1
    attributes: dict[str, str] = field(default_factory=dict)  # display key → display value


@dataclass
class SimOrder:
    """One order of the simulated store, as its REST and MCP payloads are rendered from."""

    id: int
    status: str
    total: Decimal
    created: datetime
    modified: datetime
    currency: str = "RUB"
    number: str = ""
    paid: datetime | None = None
    completed: datetime | None = None
    customer_id: int = 0
    first_name: str = "Ivan"
    last_name: str = "Petrov"
    email: str = "ivan@example.com"
    phone: str = "+7 900 000-00-00"
    payment_method: str = "bacs"
    payment_method_title: str = "Direct bank transfer"
    customer_note: str = ""
    items: int = 1
    # Named products; without them the order has `items` lines "Product #n".
    products: list[SimItem] = field(default_factory=list)
    shipping_method: str = "Flat rate"
    city: str = "Moscow"
    refunds: list[SimRefund] = field(default_factory=list)
    status_before_trash: str = ""
    notes: list[Any] = field(default_factory=list)  # simulator.notes.SimNote, oldest first
    # Fields served as given, over what the order holds: a poisoned order (a NUL in a name,
    # a total of the wrong type, a status longer than WordPress allows).
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def refunded(self) -> Decimal:
        """The sum of the order's refunds."""
        return sum((refund.amount for refund in self.refunds), Decimal(0))


def money(amount: Decimal) -> str:
    """Return an amount as WooCommerce sends it: a string with two decimals."""
    return f"{amount:.2f}"


def wc_date(when: datetime | None) -> str | None:
    """Return a time as WooCommerce sends its dates: ISO 8601 without offset or microseconds."""
    return when.replace(tzinfo=None, microsecond=0).isoformat() if when else None


def trimmed(amount: Decimal) -> str:
    """Return an amount as wc_format_decimal() trims it: "48", "12.5"."""
    return f"{amount.normalize():f}"


def _pair(when: datetime | None, local: ToLocal) -> tuple[str | None, str | None]:
    """Return (site-local, GMT) renderings of one moment, as WooCommerce pairs them."""
    return (wc_date(local(when)) if when else None), wc_date(when)


def _address(order: SimOrder, *, billing: bool) -> dict[str, str]:
    address = {
        "first_name": order.first_name,
        "last_name": order.last_name,
        "company": "",
        "address_1": "Tverskaya 1",
        "address_2": "",
        "city": order.city,
        "state": "",
        "postcode": "125009",
        "country": "RU",
    }
    if billing:
        address.update(email=order.email, phone=order.phone)
    return address


def _attributes(order: SimOrder, n: int, item: SimItem) -> list[dict[str, Any]]:
    """A variation's attributes as WooCommerce lists them in a line item's meta_data."""
    return [
        {"id": order.id * 1000 + n * 10 + i, "key": f"pa_{key.lower()}", "value": value.lower(),
         "display_key": key, "display_value": value}
        for i, (key, value) in enumerate(item.attributes.items())
    ]  # fmt: skip


def _line_items(order: SimOrder) -> list[dict[str, Any]]:
    products = order.products or [SimItem(f"Product #{n}") for n in range(1, max(order.items, 1) + 1)]
    count = len(products)
    each = (order.total / count).quantize(Decimal("0.01"))
    return [
        {
            "id": order.id * 100 + n,
            "name": item.name,
            "product_id": 90 + n,
            "variation_id": 190 + n if item.attributes else 0,
            "quantity": item.quantity,
            "tax_class": "",
            "subtotal": money(each),
            "subtotal_tax": "0.00",
            "total": money(each),
            "total_tax": "0.00",
            "taxes": [{"id": 75, "total": "0.00", "subtotal": "0.00"}],
            "meta_data": _attributes(order, n, item),
            "sku": f"SKU-{n}",
            "price": float(each),
        }
        for n, item in enumerate(products, start=1)
    ]


def order_json(order: SimOrder, base_url: str, local: ToLocal) -> dict[str, Any]:
    """Return the REST order object, every field the documentation shows, in its type."""
    created, created_gmt = _pair(order.created, local)
    modified, modified_gmt = _pair(order.modified, local)
    paid, paid_gmt = _pair(order.paid, local)
    completed, completed_gmt = _pair(order.completed, local)
    links: dict[str, list[dict[str, str]]] = {
        "self": [{"href": f"{base_url}/wp-json/wc/v3/orders/{order.id}"}],
        "collection": [{"href": f"{base_url}/wp-json/wc/v3/orders"}],
    }
    if order.customer_id:
        links["customer"] = [{"href": f"{base_url}/wp-json/wc/v3/customers/{order.customer_id}"}]
    return {
        "id": order.id,
        "parent_id": 0,
        "number": order.number or str(order.id),
        "order_key": f"wc_order_{order.id:013x}",
        "created_via": "checkout",
        "version": "10.5.0",
        "status": order.status,
        "currency": order.currency,
        "date_created": created,
        "date_created_gmt": created_gmt,
        "date_modified": modified,
        "date_modified_gmt": modified_gmt,
        "discount_total": "0.00",
        "discount_tax": "0.00",
        "shipping_total": "0.00",
        "shipping_tax": "0.00",
        "cart_tax": "0.00",
        "total": money(order.total),
        "total_tax": "0.00",
        "prices_include_tax": False,
        "customer_id": order.customer_id,
        "customer_ip_address": "127.0.0.1",
        "customer_user_agent": "Mozilla/5.0",
        "customer_note": order.customer_note,
        "billing": _address(order, billing=True),
        "shipping": _address(order, billing=False),
        "payment_method": order.payment_method,
        "payment_method_title": order.payment_method_title,
        "transaction_id": "",
        "date_paid": paid,
        "date_paid_gmt": paid_gmt,
        "date_completed": completed,
        "date_completed_gmt": completed_gmt,
        "cart_hash": f"{order.id:032x}",
        "meta_data": [{"id": order.id * 10, "key": "_simulated", "value": "yes"}],
        "line_items": _line_items(order),
        "tax_lines": [
            {
                "id": order.id * 100 + 99,
                "rate_code": "RU-VAT",
                "rate_id": 75,
                "label": "VAT",
                "compound": False,
                "tax_total": "0.00",
                "shipping_tax_total": "0.00",
                "meta_data": [],
            }
        ],
        "shipping_lines": [
            {
                "id": order.id * 100 + 98,
                "method_title": order.shipping_method,
                "method_id": "flat_rate",
                "total": "0.00",
                "total_tax": "0.00",
                "taxes": [],
                "meta_data": [],
            }
        ],
        "fee_lines": [],
        "coupon_lines": [],
        # Newest first, with negative totals, as WooCommerce lists them on the order.
        "refunds": [
            {"id": refund.id, "reason": refund.reason, "total": money(-refund.amount)}
            for refund in reversed(order.refunds)
        ],
        "_links": links,
    } | _overridden(order)


def _overridden(order: SimOrder) -> dict[str, Any]:
    """Return the order's overrides, nested ones ("billing.last_name") merged into their object."""
    flat = {name: value for name, value in order.overrides.items() if "." not in name}
    for name, value in order.overrides.items():
        if "." in name:
            outer, inner = name.split(".", 1)
            flat[outer] = {**_address(order, billing=outer == "billing"), **flat.get(outer, {}), inner: value}
    return flat


def refund_json(order: SimOrder, refund: SimRefund, base_url: str, local: ToLocal) -> dict[str, Any]:
    """Return one item of `GET /orders/<id>/refunds`."""
    created, created_gmt = _pair(refund.created, local)
    up = f"{base_url}/wp-json/wc/v3/orders/{order.id}"
    return {
        "id": refund.id,
        "date_created": created,
        "date_created_gmt": created_gmt,
        "amount": money(refund.amount),
        "reason": refund.reason,
        "refunded_by": refund.refunded_by,
        "refunded_payment": False,
        "meta_data": [],
        "line_items": [],
        "_links": {
            "self": [{"href": f"{up}/refunds/{refund.id}"}],
            "collection": [{"href": f"{up}/refunds"}],
            "up": [{"href": up}],
        },
    }


def thin_order_json(order: SimOrder, local: ToLocal, *, line_items: bool = False) -> dict[str, Any]:
    """Return the order as WooCommerce 10.9's `woocommerce/orders-query` ability shows it.

    Field for field what a real 10.9.4 store sent (tests/fixtures/mcp-adapter-10.9/06 and 20):
    no number, no payment date, no refunds, no customer name, phone or note; the e-mail at the
    top level; line items, shorter than REST's, only when asked for.
    """
    created, created_gmt = _pair(order.created, local)
    modified, modified_gmt = _pair(order.modified, local)
    thin: dict[str, Any] = {
        "id": order.id,
        "status": order.status,
        "currency": order.currency,
        "currency_symbol": CURRENCY_SYMBOLS.get(order.currency, order.currency),
        "total": money(order.total),
        "customer_id": order.customer_id,
        "billing_email": order.email,
        "payment_method": order.payment_method,
        "payment_method_title": order.payment_method_title,
        "date_created": created,
        "date_created_gmt": created_gmt,
        "date_modified": modified,
        "date_modified_gmt": modified_gmt,
    }
    # A poisoned field shows wherever the adapter shows that field.
    thin.update((name, value) for name, value in order.overrides.items() if name in thin)
    if line_items:
        thin["line_items"] = [
            {
                "id": item["id"],
                "name": item["name"],
                "product_id": item["product_id"],
                "variation_id": item["variation_id"],
                "quantity": item["quantity"],
                "subtotal": trimmed(Decimal(item["subtotal"])),
                "total": trimmed(Decimal(item["total"])),
            }
            for item in _line_items(order)
        ]
    return thin
