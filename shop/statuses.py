"""What an order status means to ADOLF: WooCommerce's own, and a store's plugin statuses by its mapping.

Pure: no database. WooCommerce's core statuses keep their meaning (shop.rules); shipping,
fulfilment and payment plugins add their own (`shipped`, `ready-pickup`, `partially-paid`;
woocommerce/woocommerce#41959, myparcelnl/woocommerce#396), which each store maps to one of
four meanings. A plugin status no mapping names still counts as paid when the order has a
payment date: payment is what makes an order new, whatever its status is called.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from shop.woocommerce.orders import CORE_STATUSES, MAX_STATUS

PAID = "paid"
AWAITING_PAYMENT = "awaiting-payment"
CANCELLED = "cancelled"
IGNORE = "ignore"
MEANINGS = {
    PAID: _("paid: entering it from an unpaid status is a new order"),
    AWAITING_PAYMENT: _("awaiting payment: leaving it for a paid status is a new order"),
    CANCELLED: _("cancelled: entering it is a cancellation"),
    IGNORE: _("ignore: no event, whatever the payment date"),
}

# Seeded into every new store; editable there. Slugs as the plugins register them (without "wc-").
COMMON_PLUGIN_STATUSES = {
    # Shipping and fulfilment: the order was paid and is on its way.
    "shipped": PAID,
    "partial-shipped": PAID,
    "delivered": PAID,
    "ready-pickup": PAID,
    "awaiting-shipment": PAID,
    "ready-to-ship": PAID,
    "in-transit": PAID,
    "out-for-delivery": PAID,
    "packing": PAID,
    # Deposits: the deposit is paid; the rest follows.
    "partially-paid": PAID,
    "pending-deposit": AWAITING_PAYMENT,
    "scheduled-payment": AWAITING_PAYMENT,
    # Refused by the shop.
    "rejected": CANCELLED,
    # Quotes and returns: not orders staff are told of by status.
    "quote": IGNORE,
    "return-requested": IGNORE,
    "returned": IGNORE,
}

_SLUG = re.compile(r"^[a-z0-9_-]+$")


def default_meanings() -> dict[str, str]:
    return dict(COMMON_PLUGIN_STATUSES)


def meaning_of(status: str, meanings: Mapping[str, str]) -> str | None:
    """Return what a non-core status means to this store, or None when no mapping names it."""
    return meanings.get(status)


def is_unknown(status: str, meanings: Mapping[str, str]) -> bool:
    """Whether no rule knows this status: not WooCommerce's, and not in the store's mapping."""
    return status not in CORE_STATUSES and status not in meanings


def parse_meanings(text: str) -> dict[str, str]:
    """Read a mapping written one `status: meaning` a line (blank lines and `#` comments ignored).

    Raises ValueError naming the line: a core status (its meaning is WooCommerce's), a
    meaning that is not one of MEANINGS, a status that is not a slug.
    """
    mapping: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        status, colon, meaning = (part.strip() for part in line.partition(":"))
        status = status.lower().removeprefix("wc-")
        if not colon or not status or not meaning:
            raise ValueError(_("line %(line)d: write it as “status: meaning”") % {"line": number})
        if not _SLUG.match(status) or len(status) > MAX_STATUS:
            raise ValueError(_("line %(line)d: “%(status)s” is not a status slug") % {"line": number, "status": status})
        if status in CORE_STATUSES:
            raise ValueError(
                _("line %(line)d: “%(status)s” is WooCommerce's own status; its meaning cannot change")
                % {"line": number, "status": status}
            )
        if meaning not in MEANINGS:
            raise ValueError(
                _("line %(line)d: “%(meaning)s” is not one of: %(choices)s")
                % {"line": number, "meaning": meaning, "choices": ", ".join(MEANINGS)}
            )
        mapping[status] = meaning
    return mapping


def format_meanings(mapping: Mapping[str, str]) -> str:
    """Write a mapping as parse_meanings reads it, one status a line, sorted."""
    return "\n".join(f"{status}: {meaning}" for status, meaning in sorted(mapping.items()))
