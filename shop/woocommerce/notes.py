"""Order notes (`GET /orders/<id>/notes`): when an order's status really changed.

WooCommerce writes a note on every status change, "Order status changed from %1$s to %2$s."
(WC_Order::status_transition(), with the statuses' display names), or "Order status set to
%s." for a new order, sometimes after a reason ("Unpaid order cancelled - time limit
reached."). Opening an order in wp-admin writes none, though on HPOS stores it bumps the
modified date (woocommerce/woocommerce#41226). Notes come newest first, all in one answer
(WC_REST_Order_Notes_Controller reads them with get_comments, unpaged); system notes have
the author "system".

The text is translated into the store's language when it is written; only WooCommerce's
English text is recognised. On a store in another language the newest note written by
anyone stands in for it: a status change always writes one, a mere look at the order never does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from shop.woocommerce.orders import OrderParseError, clean_text, parse_gmt

STATUS_CHANGE = re.compile(r"Order status (changed from .+ to|set to) .+\.", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class OrderNote:
    id: int
    note: str
    date_created_gmt: datetime | None
    customer_note: bool
    author: str

    @property
    def is_status_change(self) -> bool:
        return bool(STATUS_CHANGE.search(self.note))


def parse_note(raw: object) -> OrderNote:
    """Return the OrderNote one item of the notes list describes; raise OrderParseError if it can't."""
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), int):
        raise OrderParseError("an order note must be a JSON object with an integer `id`")
    return OrderNote(
        id=raw["id"],
        note=clean_text(str(raw.get("note") or "")),
        date_created_gmt=parse_gmt(raw.get("date_created_gmt")),
        customer_note=bool(raw.get("customer_note")),
        author=clean_text(str(raw.get("author") or ""), 200),
    )


def status_changed_at(notes: Iterable[OrderNote]) -> datetime | None:
    """Return when the order's status last changed, as its notes tell; None if they tell nothing.

    The newest status-change note; if none is recognised (another language), the newest
    note other than one written to the customer.
    """
    dated = [note for note in notes if note.date_created_gmt is not None]
    changes = [note.date_created_gmt for note in dated if note.is_status_change]
    if changes:
        return max(changes)  # type: ignore[type-var]
    internal = [note.date_created_gmt for note in dated if not note.customer_note]
    return max(internal) if internal else None  # type: ignore[type-var]
