"""Decide which order events a change of an order means.

Pure functions: no database, no HTTP. The poller and the webhook handler both call
`detect_events` with what was known of an order, what the store says now, and what the
store's plugin statuses mean (shop.statuses).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from shop import statuses
from shop.woocommerce.orders import CORE_STATUSES

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

# What shows that a change of an order never seen before is recent, when its own dates do
# not (woocommerce/woocommerce#41226: on HPOS stores opening an order in wp-admin bumps its
# modified date, so date_modified is no evidence): its refunds' dates, or the status-change
# note WooCommerce writes (shop.evidence fetches them).
REFUNDS_EVIDENCE = "refunds"
NOTES_EVIDENCE = "notes"


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
    date_completed_gmt: datetime | None = None


@dataclass(frozen=True)
class Detected:
    event_type: str
    from_status: str | None
    to_status: str
    # Distinguishes occurrences: the same change seen twice gets the same key.
    occurrence: str
    # For an order never seen before whose own dates cannot show the change is recent: the
    # event is news only if this evidence (REFUNDS_EVIDENCE, NOTES_EVIDENCE) dates the
    # change after the window's start. None: no doubt.
    evidence: str | None = None


def detect_events(
    known: Known | None, seen: Seen, *, window_start: datetime, meanings: Mapping[str, str] | None = None
) -> list[Detected]:
    """Return the events the change from `known` to `seen` means, opted-in or not.

    `known` is None when the order is not in the known state. Such an order counts as
    newly paid only if it was paid after `window_start` (the earliest change this poll
    can see): one paid before that would have been seen by an earlier poll, or predates
    the store's first poll, and is history, not news. Its other events are news only if
    something other than its modified date shows the change is recent (Detected.evidence).
    `meanings`: the store's plugin statuses (shop.statuses), {status: meaning}.
    """
    meanings = meanings or {}
    before = known.status if known else None
    now = seen.status
    events: list[Detected] = []
    stamp = seen.date_modified_gmt.isoformat()
    # An order created inside the window changed inside it, whatever it did.
    young = seen.date_created_gmt is not None and seen.date_created_gmt > window_start
    unseen = known is None and not young

    if _paid(now, seen.date_paid_gmt, meanings) and before != now:
        first_payment = None if known is None else _unpaid(before, meanings)
        evidence = None
        if first_payment is None:
            # An on-hold order (bank transfer) has no payment date; it entered on-hold when it
            # was last modified, not when it was created (the block checkout creates the
            # order as a draft, maybe long before) — if that modification was the change.
            paid_at = seen.date_paid_gmt or (seen.date_modified_gmt if now == "on-hold" else seen.date_created_gmt)
            first_payment = paid_at is not None and paid_at > window_start
            if unseen and seen.date_paid_gmt is None and now == "on-hold":
                evidence = NOTES_EVIDENCE
        if first_payment:
            # One per order, ever: the occurrence does not vary.
            events.append(Detected(NEW, before, now, "first-payment", evidence))

    entered = _entered(now, meanings)
    if before != now and entered is not None:
        evidence = None
        if unseen:
            if entered == COMPLETED and seen.date_completed_gmt is not None:
                if seen.date_completed_gmt <= window_start:
                    entered = None  # completed long ago: history
            else:
                evidence = REFUNDS_EVIDENCE if entered == REFUNDED else NOTES_EVIDENCE
        if entered is not None:
            events.append(Detected(entered, before, now, stamp, evidence))

    previously_refunded = known.refunded_total if known else Decimal(0)
    if now != "refunded" and seen.refunded_total > previously_refunded:
        # Normalised, so "10.0" and "10.00" from different APIs are one occurrence.
        occurrence = f"refunded-{seen.refunded_total.normalize():f}"
        events.append(Detected(PARTIALLY_REFUNDED, before, now, occurrence, REFUNDS_EVIDENCE if unseen else None))
    return events


def _paid(status: str, date_paid: datetime | None, meanings: Mapping[str, str]) -> bool:
    """Whether an order in `status` counts as paid (or committed to, for bank transfers)."""
    if status in PAID:
        return True
    # WooCommerce keeps date_paid when a paid order is later cancelled or refunded, so a
    # payment that happened between two looks at the order is still seen.
    if status in PAID_THEN_UNDONE:
        return date_paid is not None
    if status in CORE_STATUSES:
        return False
    meaning = statuses.meaning_of(status, meanings)
    if meaning in (statuses.PAID, None):
        # Mapped as paid; or a plugin status no rule knows, which a payment date makes paid.
        return meaning == statuses.PAID or date_paid is not None
    return meaning == statuses.CANCELLED and date_paid is not None


def _unpaid(status: str | None, meanings: Mapping[str, str]) -> bool | None:
    """Whether entering a paid status from `status` is the order's first payment (None: cannot tell)."""
    if status in UNPAID:
        return True
    if status is None or status in CORE_STATUSES:
        return False
    meaning = statuses.meaning_of(status, meanings)
    if meaning is None:
        return None  # a plugin status no rule knows: the payment date decides
    return meaning == statuses.AWAITING_PAYMENT


def _entered(status: str, meanings: Mapping[str, str]) -> str | None:
    """The event an order entering `status` raises, if any."""
    if status in ENTERED:
        return ENTERED[status]
    if status not in CORE_STATUSES and statuses.meaning_of(status, meanings) == statuses.CANCELLED:
        return CANCELLED
    return None
