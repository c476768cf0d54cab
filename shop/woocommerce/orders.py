"""The order as ADOLF sees it, parsed tolerantly from what real WooCommerce stores send.

Stores send money and order numbers as strings, dates without a zone (the `_gmt` ones are
UTC), statuses invented by extensions, fields we don't know, refunds keyed `reason` or
(in old documentation) `refund`, and leave optional fields out. WooCommerce 10.9's MCP
adapter sends thin orders: no number, no billing object but a top-level `billing_email`,
line items only when asked for. None of that is an error; an order without an id or a
status, or money that is not a number, is.

Text is cleaned here, once, for everything downstream (the database, JSON snapshots,
every channel): control characters go (PostgreSQL refuses U+0000 in text and in JSONB;
woocommerce/woocommerce#68783 shows stores that store it), lone surrogates become U+FFFD,
and values longer than any real order holds are cut to the lengths below. What cannot be
cleaned without lying — money too large to hold, a status longer than WordPress allows,
fields of the wrong type — makes the order unreadable (`read_order` says why), and the
caller sets that one order aside instead of failing its page.
"""

from __future__ import annotations

import contextlib
import html
import re
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


# The most an order's values may hold once parsed; the known-state columns (shop.models) use
# the same numbers. WordPress keeps statuses in 20 characters (varchar(20) post_status, HPOS
# `status`), currency codes are 3 letters (ISO 4217; crypto plugins use up to 5), and order
# numbers are text that plugins make up.
MAX_NUMBER = 64
MAX_STATUS = 40
MAX_CURRENCY = 8
MAX_NAME = 200
MAX_TEXT = 10_000  # a customer note, a product name: enough for any real one
# Money columns hold 18 digits, 4 after the point: amounts below 10**14.
MONEY_PLACES = Decimal("0.0001")
MONEY_LIMIT = Decimal(10) ** 14
# Order ids are bigint in ADOLF's tables and in WooCommerce's.
MAX_ID = 2**63 - 1
# C0 controls but tab, newline and carriage return; DEL; lone UTF-16 surrogates (JSON can
# carry them as \ud800, UTF-8 cannot encode them).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class OrderParseError(ValueError):
    """An order object lacks what every order has, or holds nonsense in a typed field."""


def clean_text(value: str, limit: int = MAX_TEXT) -> str:
    """Return text any database and channel can take: no control characters or lone surrogates, at most `limit` long.

    Tabs and line breaks stay (customer notes have them); a cut value ends with "…".
    """
    if value.isprintable() and len(value) <= limit:
        return value  # the common case, at C speed
    value = _SURROGATE.sub("\ufffd", _CONTROL.sub("", value))
    return value if len(value) <= limit else value[: limit - 1] + "…"


@dataclass(frozen=True)
class Refund:
    """One refund as an order's `refunds` lists it: id, reason and amount (negative)."""

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
    """An order as ADOLF reads it from WooCommerce: the fields rules and texts use, times in UTC."""

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
    # When the order was completed: what shows a completed order's change is recent (REST only).
    date_completed_gmt: datetime | None = None

    @property
    def is_draft(self) -> bool:
        """Whether the order is a checkout draft (WooCommerce's `checkout-draft`): not an order yet."""
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
    if value.startswith("0000-00-00"):
        return None  # how old WooCommerce versions and some plugins write "no date"
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
    if abs(amount) >= MONEY_LIMIT:
        raise OrderParseError(f"{what} {value!r} is too large for an order (at most 14 digits before the point)")
    # More than four decimals (a currency plugin's rounding): kept to the column's precision.
    return amount if amount.as_tuple().exponent >= -4 else amount.quantize(MONEY_PLACES)


def _text(value: object, limit: int = MAX_TEXT) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        raise OrderParseError(f"a {type(value).__name__} where text belongs: {str(value)[:60]}")
    return clean_text(str(value), limit)


def _decoded(value: object, limit: int = MAX_TEXT) -> str:
    """Return text as people wrote it: WooCommerce sends names with `&amp;`, `&ndash;`, `&#039;` escaped."""
    return clean_text(html.unescape(_text(value)).strip(), limit)


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


def order_id_of(raw: object) -> int | None:
    """Return the order id an order object carries, if it carries a usable one (a positive bigint)."""
    value = raw.get("id") if isinstance(raw, dict) else None
    if isinstance(value, int) and not isinstance(value, bool):
        order_id = value
    elif (isinstance(value, str) and value.strip().isdigit()) or (isinstance(value, float) and value.is_integer()):
        order_id = int(value)
    else:
        return None
    return order_id if 0 < order_id <= MAX_ID else None


def parse_order(raw: object) -> Order:
    """Return the Order a REST (or MCP) order object describes; raise OrderParseError if it can't."""
    if not isinstance(raw, dict):
        raise OrderParseError(f"an order must be a JSON object, not {type(raw).__name__}")
    order_id = order_id_of(raw)
    status = raw.get("status")
    if order_id is None or not isinstance(status, str):
        raise OrderParseError(
            f"an order needs a positive integer `id` and a `status`, not {str(raw.get('id'))[:40]!r} / "
            f"{str(status)[:40]!r}"
        )
    # Stores configured without the wc- prefix stripping (old plugins) still send it now and then.
    status = clean_text(status).strip().removeprefix("wc-")
    if not status or len(status) > MAX_STATUS:
        raise OrderParseError(f"order {order_id}: status {status[:60]!r} is empty or longer than WordPress allows")
    try:
        billing = raw.get("billing") if isinstance(raw.get("billing"), dict) else {}
        shipping = raw.get("shipping") if isinstance(raw.get("shipping"), dict) else {}
        first, last = _decoded(billing.get("first_name")), _decoded(billing.get("last_name"))
        line_items = raw.get("line_items")
        return Order(
            id=order_id,
            number=_text(raw.get("number"), MAX_NUMBER) or str(order_id),
            status=status,
            currency=_text(raw.get("currency"), MAX_CURRENCY),
            total=parse_money(raw.get("total"), what="total"),
            date_created_gmt=parse_gmt(raw.get("date_created_gmt")),
            date_modified_gmt=parse_gmt(raw.get("date_modified_gmt")),
            date_paid_gmt=parse_gmt(raw.get("date_paid_gmt")),
            customer_name=clean_text(" ".join(part for part in (first, last) if part), MAX_NAME),
            email=_text(billing.get("email"), MAX_NAME) or _text(raw.get("billing_email"), MAX_NAME),
            phone=_text(billing.get("phone"), MAX_NAME),
            payment_method_title=_decoded(raw.get("payment_method_title"), MAX_NAME),
            customer_note=_decoded(raw.get("customer_note")),
            refunds=_refunds(raw.get("refunds")),
            line_items_count=len(line_items) if isinstance(line_items, list) else 0,
            raw=raw,
            payment_method=_text(raw.get("payment_method"), MAX_NAME),
            shipping_method=_shipping_method(raw.get("shipping_lines")),
            # Where the parcel goes; an order without shipping (a download) has only a billing city.
            city=_decoded(shipping.get("city"), MAX_NAME) or _decoded(billing.get("city"), MAX_NAME),
            line_items=_line_items(line_items),
            date_completed_gmt=parse_gmt(raw.get("date_completed_gmt")),
        )
    except (TypeError, ValueError, AttributeError) as exc:
        raise OrderParseError(f"order {order_id}: {exc}") from None


@dataclass(frozen=True)
class UnreadableOrder:
    """An order object of a listing that cannot become an Order, and why.

    `order_id` is None when even the id is unusable; `date_modified_gmt` when the date is.
    `sample` is the start of the object as the store sent it, for the operator.
    """

    order_id: int | None
    reason: str
    date_modified_gmt: datetime | None = None
    sample: str = ""


def read_order(raw: object) -> Order | UnreadableOrder:
    """Return the Order a listing's item describes, or an UnreadableOrder saying why it cannot be one.

    Beyond parse_order, a listed order needs its modification date: a listing is placed in
    time by it.
    """
    try:
        order = parse_order(raw)
    except OrderParseError as exc:
        return _unreadable(raw, str(exc))
    if order.date_modified_gmt is None:
        return _unreadable(raw, f"order {order.id}: no date_modified_gmt")
    return order


def _unreadable(raw: object, reason: str) -> UnreadableOrder:
    modified = None
    if isinstance(raw, dict):
        with contextlib.suppress(OrderParseError):
            modified = parse_gmt(raw.get("date_modified_gmt"))
    # repr() shows control characters escaped: the sample itself is clean text.
    return UnreadableOrder(order_id_of(raw), clean_text(reason, 500), modified, repr(raw)[:500])


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
