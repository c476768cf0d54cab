"""The order as ADOLF sees it, parsed tolerantly from what real WooCommerce stores send.

Stores send money and order numbers as strings, dates without a zone (the `_gmt` ones are
UTC), statuses invented by extensions, fields we don't know, refunds keyed `reason` or
(in old documentation) `refund`, and leave optional fields out. WooCommerce 10.9's MCP
adapter sends thin orders: no number, no billing object but a top-level `billing_email`,
line items only when asked for. None of that is an error; an order without an id or a
status, or money that is not a number, is.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

# Block checkout's drafts: in `status=any`, never a real order, deleted after a day.
DRAFT_STATUS = "checkout-draft"
CORE_STATUSES = frozenset(
    {"pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed", DRAFT_STATUS, "trash"}
)


class OrderParseError(ValueError):
    """An order object lacks what every order has, or holds nonsense in a typed field."""


@dataclass(frozen=True)
class Refund:
    id: int
    reason: str
    total: Decimal  # negative, as WooCommerce sends it in the order's `refunds`


@dataclass(frozen=True)
class LineItem:
    """One line of an order: product name (entities decoded), quantity, the variation chosen, the line's total."""

    name: str
    quantity: int
    variation: str = ""  # "Size: L, Colour: Blue"; empty for a simple product
    total: Decimal = Decimal(0)


@dataclass(frozen=True)
class Order:
    id: int
    number: str
    status: str
    currency: str
    total: Decimal
    date_created_gmt: datetime | None
    date_modified_gmt: datetime | None
    date_paid_gmt: datetime | None
    customer_name: str
    email: str
    phone: str
    payment_method_title: str
    customer_note: str
    refunds: tuple[Refund, ...]
    line_items_count: int
    raw: dict[str, Any] = field(repr=False, compare=False)
    # What staff read in a notification beyond the above (customer_name, payment_method_title,
    # customer_note and these are decoded: WooCommerce sends them HTML-escaped).
    payment_method: str = ""  # the gateway's id: bacs, cod, stripe, …
    shipping_method: str = ""
    city: str = ""
    line_items: tuple[LineItem, ...] = ()

    @property
    def is_draft(self) -> bool:
        return self.status == DRAFT_STATUS

    @property
    def refunded_total(self) -> Decimal:
        """Return the sum refunded so far, as a positive amount."""
        return -sum((refund.total for refund in self.refunds), Decimal(0))


def parse_gmt(value: object) -> datetime | None:
    """Return an aware UTC datetime from WooCommerce's `YYYY-MM-DDTHH:MM:SS` (naive = UTC)."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise OrderParseError(f"date {value!r} is not a string")
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise OrderParseError(f"date {value!r} is not ISO 8601") from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def parse_money(value: object, *, what: str = "amount") -> Decimal:
    """Return a Decimal from a money string ("29.35"), tolerating numbers and blanks (0)."""
    if value in (None, ""):
        return Decimal(0)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise OrderParseError(f"{what} {value!r} is not money")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise OrderParseError(f"{what} {value!r} is not money") from None
    if not amount.is_finite():
        raise OrderParseError(f"{what} {value!r} is not money")
    return amount


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _decoded(value: object) -> str:
    """Return text as people wrote it: WooCommerce sends names with `&amp;`, `&ndash;`, `&#039;` escaped."""
    return html.unescape(_text(value)).strip()


def _variation(meta: object) -> str:
    """Return the chosen attributes of a line item ("Size: L, Colour: Blue") from its meta_data."""
    if not isinstance(meta, list):
        return ""
    parts = []
    for entry in meta:
        # Keys starting with "_" are WooCommerce's own bookkeeping, never shown to people.
        if not isinstance(entry, dict) or str(entry.get("key", "")).startswith("_"):
            continue
        # Without display_key (older stores), the attribute's slug: "pa_color" is the taxonomy of "color".
        key = _decoded(entry.get("display_key") or str(entry.get("key", "")).removeprefix("pa_"))
        value = entry.get("display_value", entry.get("value"))
        if key and isinstance(value, str | int | float) and _decoded(value):
            parts.append(f"{key}: {_decoded(value)}")
    return ", ".join(parts)


def _quantity(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 1


def _line_items(raw: object) -> tuple[LineItem, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(
        LineItem(
            _decoded(item.get("name")),
            _quantity(item.get("quantity", 1)),
            _variation(item.get("meta_data")),
            parse_money(item.get("total"), what="line total"),
        )
        for item in raw
        if isinstance(item, dict)
    )


def _shipping_method(raw: object) -> str:
    if not isinstance(raw, list):
        return ""
    titles = [_decoded(line.get("method_title")) for line in raw if isinstance(line, dict)]
    return ", ".join(title for title in titles if title)


def _refunds(raw: object) -> tuple[Refund, ...]:
    if not isinstance(raw, list):
        return ()
    refunds = []
    for item in raw:
        if not isinstance(item, dict) or "id" not in item:
            continue
        reason = item.get("reason", item.get("refund", ""))
        refunds.append(Refund(int(item["id"]), _text(reason), parse_money(item.get("total"), what="refund total")))
    return tuple(refunds)


def parse_order(raw: object) -> Order:
    """Return the Order a REST (or MCP) order object describes; raise OrderParseError if it can't."""
    if not isinstance(raw, dict):
        raise OrderParseError(f"an order must be a JSON object, not {type(raw).__name__}")
    try:
        order_id = int(raw["id"])
        status = str(raw["status"])
    except (KeyError, TypeError, ValueError):
        raise OrderParseError("an order needs an integer `id` and a `status`") from None
    if order_id <= 0 or not status:
        raise OrderParseError(f"order id {raw.get('id')!r} / status {raw.get('status')!r} are not valid")
    # Stores configured without the wc- prefix stripping (old plugins) still send it now and then.
    status = status.removeprefix("wc-")
    billing = raw.get("billing") if isinstance(raw.get("billing"), dict) else {}
    shipping = raw.get("shipping") if isinstance(raw.get("shipping"), dict) else {}
    name = " ".join(part for part in (_decoded(billing.get("first_name")), _decoded(billing.get("last_name"))) if part)
    line_items = raw.get("line_items")
    try:
        return Order(
            id=order_id,
            number=_text(raw.get("number")) or str(order_id),
            status=status,
            currency=_text(raw.get("currency")),
            total=parse_money(raw.get("total"), what="total"),
            date_created_gmt=parse_gmt(raw.get("date_created_gmt")),
            date_modified_gmt=parse_gmt(raw.get("date_modified_gmt")),
            date_paid_gmt=parse_gmt(raw.get("date_paid_gmt")),
            customer_name=name,
            email=_text(billing.get("email")) or _text(raw.get("billing_email")),
            phone=_text(billing.get("phone")),
            payment_method_title=_decoded(raw.get("payment_method_title")),
            customer_note=_decoded(raw.get("customer_note")),
            refunds=_refunds(raw.get("refunds")),
            line_items_count=len(line_items) if isinstance(line_items, list) else 0,
            raw=raw,
            payment_method=_text(raw.get("payment_method")),
            shipping_method=_shipping_method(raw.get("shipping_lines")),
            # Where the parcel goes; an order without shipping (a download) has only a billing city.
            city=_decoded(shipping.get("city")) or _decoded(billing.get("city")),
            line_items=_line_items(line_items),
        )
    except (TypeError, ValueError) as exc:
        raise OrderParseError(f"order {order_id}: {exc}") from None


def parse_orders(items: Iterable[object]) -> list[Order]:
    """Parse a list of order objects, dropping checkout drafts."""
    orders = [parse_order(item) for item in items]
    return [order for order in orders if not order.is_draft]


@dataclass(frozen=True)
class RefundRecord:
    """One refund from `GET /orders/<id>/refunds`: the amount is positive there."""

    id: int
    reason: str
    amount: Decimal
    date_created_gmt: datetime | None
    raw: dict[str, Any] = field(repr=False, compare=False)


def parse_refund_record(raw: object) -> RefundRecord:
    """Return a RefundRecord from one item of the refunds list."""
    if not isinstance(raw, dict) or "id" not in raw:
        raise OrderParseError("a refund must be a JSON object with an `id`")
    try:
        return RefundRecord(
            id=int(raw["id"]),
            reason=_text(raw.get("reason", raw.get("refund", ""))),
            amount=parse_money(raw.get("amount"), what="refund amount"),
            date_created_gmt=parse_gmt(raw.get("date_created_gmt")),
            raw=raw,
        )
    except (TypeError, ValueError) as exc:
        raise OrderParseError(f"refund {raw.get('id')!r}: {exc}") from None
