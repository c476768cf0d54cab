"""Order notes (`GET /orders/<id>/notes`): when an order's status really changed.

WooCommerce writes a note on every status change, "Order status changed from %1$s to %2$s."
(WC_Order::status_transition(), with the statuses' display names), or "Order status set to
%s." for a new order, sometimes after a reason ("Unpaid order cancelled - time limit
reached."). Opening an order in wp-admin writes none, though on HPOS stores it bumps the
modified date (woocommerce/woocommerce#41226). Notes come newest first, all in one answer
(WC_REST_Order_Notes_Controller reads them with get_comments, unpaged); system notes have
the author "system".

The text is translated into the store's site language when it is written, by WooCommerce's
language pack from translate.wordpress.org, and keeps the wording of that day: STATUS_CHANGES
recognises it in the languages ADOLF targets, each pattern with its source. On a store in
another language the newest note written by anyone stands in for it: a status change always
writes one, a mere look at the order never does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from shop.woocommerce.orders import OrderParseError, clean_text, parse_gmt

# WooCommerce's status-change notes, "Order status changed from %1$s to %2$s." and "Order
# status set to %s." (WC_Order::status_transition()), as each language writes them. A reason
# may come first ("Unpaid order cancelled - time limit reached. Order status changed …").
STATUS_CHANGES = {
    # The source strings (woocommerce/includes/class-wc-order.php).
    "en": r"Order status (changed from .+ to|set to) .+\.",
    # ru_RU, translate.wordpress.org's "Plugins - WooCommerce - Stable" pack: "Статус заказа
    # изменён с «%1$s» на «%2$s»." (as of 2022-04-15 and 2024-04-18), "Статус заказа изменен с
    # %1$s на %2$s." (2020-09-24), WooCommerce 2.3's Transifex ru_RU "Статус заказа изменен с %s
    # на %s." (2015); "Статус заказа установлен на %s." in the 2020, 2022 and 2024 packs.
    "ru": r"Статус заказа (измен[её]н с .+ на|установлен на) .+\.",
    # de_DE, the same pack as of 2025-07-26: "Status der Bestellung von %1$s auf %2$s geändert."
    # and "Bestellstatus auf %s gesetzt."
    "de": r"(Status der Bestellung von .+ auf .+ geändert|Bestellstatus auf .+ gesetzt)\.",
}
STATUS_CHANGE = re.compile("|".join(f"(?:{pattern})" for pattern in STATUS_CHANGES.values()), re.IGNORECASE | re.DOTALL)


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

    The newest status-change note (STATUS_CHANGES: English, Russian, German); if none is
    recognised (another language), the newest note other than one written to the customer.
    """
    dated = [note for note in notes if note.date_created_gmt is not None]
    changes = [note.date_created_gmt for note in dated if note.is_status_change]
    if changes:
        return max(changes)  # type: ignore[type-var]
    internal = [note.date_created_gmt for note in dated if not note.customer_note]
    return max(internal) if internal else None  # type: ignore[type-var]
