"""Decide which order events a change of an order means.

Pure functions: no database, no HTTP. The poller and the webhook handler both call
`detect_events` with what was known of an order and what the store says now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

NEW = "shop.order.new"
CANCELLED = "shop.order.cancelled"
REFUNDED = "shop.order.refunded"
FAILED = "shop.order.failed"
PARTIALLY_REFUNDED = "shop.order.partially_refunded"
ON_HOLD = "shop.order.on_hold"
COMPLETED = "shop.order.completed"

EVENT_TYPES = {
    NEW: _("New paid order"),
    CANCELLED: _("Order cancelled"),
    REFUNDED: _("Order fully refunded"),
    FAILED: _("Payment failed"),
    PARTIALLY_REFUNDED: _("Order partially refunded"),
    ON_HOLD: _("Order on hold"),
    COMPLETED: _("Order completed"),
}
DEFAULT_EVENT_TYPES = (NEW, CANCELLED, REFUNDED, FAILED)
OPT_IN_EVENT_TYPES = (PARTIALLY_REFUNDED, ON_HOLD, COMPLETED)

# The seed's levels.
LEVELS = {
    NEW: "info",
    CANCELLED: "warning",
    REFUNDED: "warning",
    FAILED: "error",
    PARTIALLY_REFUNDED: "warning",
    ON_HOLD: "info",
    COMPLETED: "info",
}

# Statuses in which an order counts as paid (or committed to, for bank transfers).
PAID = frozenset({"processing", "on-hold", "completed"})
# Statuses a paid order can end in; its date_paid tells that it was paid first.
PAID_THEN_UNDONE = frozenset({"cancelled", "refunded"})
# Statuses from which entering a paid status is the order's first payment.
UNPAID = frozenset({"pending", "failed", "on-hold", "checkout-draft"})
# Statuses a status-change rule fires on when the order enters them.
ENTERED = {"cancelled": CANCELLED, "refunded": REFUNDED, "failed": FAILED, "on-hold": ON_HOLD, "completed": COMPLETED}


@dataclass(frozen=True)
class Known:
    """What was known of an order before this change (None fields: not known)."""

    status: str | None
    refunded_total: Decimal = Decimal(0)


@dataclass(frozen=True)
class Seen:
    """What the store says of the order now."""

    status: str
    refunded_total: Decimal
    date_modified_gmt: datetime
    date_paid_gmt: datetime | None
    date_created_gmt: datetime | None


@dataclass(frozen=True)
class Detected:
    event_type: str
    from_status: str | None
    to_status: str
    # Distinguishes occurrences: the same change seen twice gets the same key.
    occurrence: str


def detect_events(known: Known | None, seen: Seen, *, window_start: datetime) -> list[Detected]:
    """Return the events the change from `known` to `seen` means, opted-in or not.

    `known` is None when the order is not in the known state. Such an order counts as
    newly paid only if it was paid after `window_start` (the earliest change this poll
    can see): one paid before that would have been seen by an earlier poll, or predates
    the store's first poll, and is history, not news.
    """
    before = known.status if known else None
    now = seen.status
    events: list[Detected] = []
    stamp = seen.date_modified_gmt.isoformat()

    # WooCommerce keeps date_paid when a paid order is later cancelled or refunded, so a
    # payment that happened between two looks at the order is still seen.
    paid = now in PAID or (seen.date_paid_gmt is not None and now in PAID_THEN_UNDONE)
    if paid and before != now:
        if known is None:
            # An on-hold order (bank transfer) has no payment date; it entered on-hold when it
            # was last modified, not when it was created (the block checkout creates the
            # order as a draft, maybe long before).
            paid_at = seen.date_paid_gmt or (seen.date_modified_gmt if now == "on-hold" else seen.date_created_gmt)
            is_new = paid_at is not None and paid_at > window_start
        else:
            is_new = before in UNPAID
        if is_new:
            # One per order, ever: the occurrence does not vary.
            events.append(Detected(NEW, before, now, "first-payment"))

    if before != now and now in ENTERED:
        events.append(Detected(ENTERED[now], before, now, stamp))

    previously_refunded = known.refunded_total if known else Decimal(0)
    if now != "refunded" and seen.refunded_total > previously_refunded:
        # Normalised, so "10.0" and "10.00" from different APIs are one occurrence.
        events.append(Detected(PARTIALLY_REFUNDED, before, now, f"refunded-{seen.refunded_total.normalize():f}"))
    return events
