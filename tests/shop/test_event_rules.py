"""Which events an order's change means: every transition rule of the seed, done right."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from shop.rules import (
    CANCELLED,
    COMPLETED,
    FAILED,
    NEW,
    ON_HOLD,
    PARTIALLY_REFUNDED,
    REFUNDED,
    Known,
    Seen,
    detect_events,
)

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
WINDOW_START = NOW - timedelta(minutes=5)


PAID_NOW = object()


def seen(status: str, *, refunded: str = "0", paid=PAID_NOW, created: datetime | None = None) -> Seen:
    """The order now; by default paid just now if its status says it was ever paid."""
    if paid is PAID_NOW:
        paid = NOW if status in ("processing", "completed", "cancelled", "refunded") else None
    return Seen(
        status=status,
        refunded_total=Decimal(refunded),
        date_modified_gmt=NOW,
        date_paid_gmt=paid,
        date_created_gmt=created or NOW - timedelta(minutes=1),
    )


def types(known: Known | None, now: Seen) -> list[str]:
    return [event.event_type for event in detect_events(known, now, window_start=WINDOW_START)]


@pytest.mark.parametrize("before", ["pending", "failed", "on-hold", "checkout-draft"])
def test_an_order_entering_processing_from_an_unpaid_status_is_a_new_order(before):
    assert types(Known(before), seen("processing")) == [NEW]


def test_pending_to_on_hold_is_a_new_order_and_an_on_hold_event():
    assert types(Known("pending"), seen("on-hold", paid=None)) == [NEW, ON_HOLD]


def test_an_order_completed_directly_from_pending_is_new_and_completed():
    assert types(Known("pending"), seen("completed")) == [NEW, COMPLETED]


def test_an_unknown_order_paid_inside_the_window_is_new():
    assert types(None, seen("processing", paid=NOW - timedelta(minutes=1))) == [NEW]


def test_an_unknown_order_paid_before_the_window_is_history_not_news():
    long_ago = NOW - timedelta(days=20)
    assert types(None, seen("processing", paid=long_ago, created=long_ago)) == []


def test_an_unknown_order_without_a_payment_date_falls_back_to_its_creation_date():
    assert types(None, seen("processing", paid=None, created=NOW - timedelta(minutes=2))) == [NEW]
    assert types(None, seen("processing", paid=None, created=NOW - timedelta(days=2))) == []


@pytest.mark.parametrize(("before", "after"), [("processing", "completed"), ("cancelled", "processing")])
def test_moves_between_paid_or_from_cancelled_are_not_new_orders(before, after):
    assert NEW not in types(Known(before), seen(after))


def test_the_new_order_event_has_one_occurrence_per_order_however_often_it_is_paid():
    first = detect_events(Known("pending"), seen("on-hold"), window_start=WINDOW_START)[0]
    second = detect_events(Known("on-hold"), seen("processing"), window_start=WINDOW_START)[0]
    assert first.occurrence == second.occurrence == "first-payment"


@pytest.mark.parametrize(
    ("before", "after", "event"),
    [
        ("processing", "cancelled", CANCELLED),
        ("completed", "refunded", REFUNDED),
        ("processing", "refunded", REFUNDED),
        ("pending", "failed", FAILED),
        ("processing", "failed", FAILED),
        ("processing", "on-hold", ON_HOLD),
        ("processing", "completed", COMPLETED),
    ],
)
def test_entering_a_watched_status_raises_its_event(before, after, event):
    assert types(Known(before), seen(after)) == [event]


def test_an_order_paid_and_cancelled_between_two_looks_is_new_and_cancelled():
    assert types(Known("pending"), seen("cancelled")) == [NEW, CANCELLED]
    assert types(None, seen("refunded", refunded="1490.00")) == [NEW, REFUNDED]


def test_an_unpaid_order_cancelled_is_only_cancelled():
    assert types(Known("pending"), seen("cancelled", paid=None)) == [CANCELLED]
    assert types(Known("on-hold"), seen("cancelled", paid=None)) == [CANCELLED]
    assert types(Known("pending"), seen("failed")) == [FAILED]


def test_a_paid_order_cancelled_later_is_not_new_again():
    assert types(Known("processing"), seen("cancelled")) == [CANCELLED]


def test_an_order_created_weeks_ago_and_cancelled_now_raises_cancelled():
    weeks_ago = NOW - timedelta(weeks=3)
    assert types(None, seen("cancelled", paid=weeks_ago, created=weeks_ago)) == [CANCELLED]


def test_an_unchanged_status_raises_nothing():
    assert types(Known("processing"), seen("processing")) == []
    assert types(Known("cancelled"), seen("cancelled")) == []


def test_a_growing_refund_on_a_paid_order_is_a_partial_refund_once_per_amount():
    events = detect_events(
        Known("processing", Decimal("5")), seen("processing", refunded="12.50"), window_start=WINDOW_START
    )
    assert [(e.event_type, e.occurrence) for e in events] == [(PARTIALLY_REFUNDED, "refunded-12.5")]
    assert types(Known("processing", Decimal("12.50")), seen("processing", refunded="12.50")) == []


def test_a_full_refund_is_refunded_not_partially_refunded():
    assert types(Known("processing", Decimal("5")), seen("refunded", refunded="29.35")) == [REFUNDED]


def test_an_unknown_status_from_an_extension_raises_nothing_and_does_not_crash():
    assert types(Known("processing"), seen("awaiting-fitting")) == []
    assert types(Known("awaiting-fitting"), seen("cancelled", paid=None)) == [CANCELLED]


def test_a_status_change_occurrence_is_the_stores_modification_time():
    event = detect_events(Known("processing"), seen("cancelled"), window_start=WINDOW_START)[0]
    assert (event.from_status, event.to_status, event.occurrence) == ("processing", "cancelled", NOW.isoformat())


def test_an_unknown_order_entering_on_hold_now_is_new_even_if_its_draft_was_made_long_ago():
    # The block checkout creates the order as a draft when the shopper arrives at checkout.
    draft_made = NOW - timedelta(hours=2)
    assert types(None, seen("on-hold", paid=None, created=draft_made)) == [NEW, ON_HOLD]


def test_the_partial_refund_occurrence_does_not_depend_on_how_the_amount_is_written():
    first = detect_events(Known("processing"), seen("processing", refunded="10.0"), window_start=WINDOW_START)
    second = detect_events(Known("processing"), seen("processing", refunded="10.00"), window_start=WINDOW_START)
    assert first[0].occurrence == second[0].occurrence == "refunded-10"
