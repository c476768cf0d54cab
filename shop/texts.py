"""What staff read for each order event: the seed's titles and messages, translated."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from shop import rules

# Line items kept in an event's snapshot: enough for a message, bounded for orders of thousands.
SNAPSHOT_LINE_ITEMS = 50


def _money(amount: str | Decimal, currency: str) -> str:
    symbol = {"RUB": "₽", "USD": "$", "EUR": "€"}.get(currency, currency)
    return f"{amount} {symbol}".strip()


def render(event_type: str, snapshot: dict, *, language: str | None = None) -> tuple[str, str]:
    """Return (title, message) of an order event, in `language` (default LANGUAGE_CODE)."""
    number = snapshot.get("number", "?")
    total = _money(snapshot.get("total", ""), snapshot.get("currency", ""))
    refunded = _money(snapshot.get("refunded_total", ""), snapshot.get("currency", ""))
    with translation.override(language or settings.LANGUAGE_CODE):
        texts = {
            rules.NEW: (_("New order"), _("Order #%(number)s for %(total)s")),
            rules.CANCELLED: (_("Order cancelled"), _("The customer cancelled order #%(number)s")),
            rules.REFUNDED: (_("Refund"), _("Order #%(number)s was refunded")),
            rules.FAILED: (_("Payment failed"), _("Payment for order #%(number)s failed")),
            rules.PARTIALLY_REFUNDED: (
                _("Partial refund"),
                _("%(refunded)s of order #%(number)s refunded so far"),
            ),
            rules.ON_HOLD: (_("Order on hold"), _("Order #%(number)s awaits confirmation of payment")),
            rules.COMPLETED: (_("Order completed"), _("Order #%(number)s is completed")),
        }
        title, message = texts[event_type]
        return title, message % {"number": number, "total": total, "refunded": refunded}


def snapshot_of(order) -> dict:
    """Return what a notification about the order needs, as plain JSON."""
    return {
        "number": order.number,
        "status": order.status,
        "total": str(order.total),
        "currency": order.currency,
        "refunded_total": str(order.refunded_total),
        "customer": order.customer_name,
        "email": getattr(order, "email", ""),
        "phone": getattr(order, "phone", ""),
        "payment_method": getattr(order, "payment_method_title", ""),
        "customer_note": getattr(order, "customer_note", ""),
        "items": getattr(order, "line_items_count", 0),
        "line_items": [
            {"name": item.name, "quantity": f"{item.quantity.normalize():f}", "total": str(item.total)}
            for item in getattr(order, "line_items", ())[:SNAPSHOT_LINE_ITEMS]
        ],
    }
