"""An order never seen before is news only with evidence its change is recent; a touch is not a change.

woocommerce/woocommerce#41226: on HPOS stores opening an order in wp-admin bumps its
modified date. The rules say which events of such an order need evidence, and which its
own dates settle.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from shop.rules import (
    CANCELLED,
    COMPLETED,
    FAILED,
    NEW,
    NOTES_EVIDENCE,
    ON_HOLD,
    PARTIALLY_REFUNDED,
    REFUNDED,
    REFUNDS_EVIDENCE,
    Known,
    Seen,
    detect_events,
)

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
WINDOW_START = NOW - timedelta(minutes=5)
LONG_AGO = NOW - timedelta(days=180)


def evidence(known, status, *, created=LONG_AGO, paid=None, completed=None, refunded="0"):
    now = Seen(status, Decimal(refunded), NOW, paid, created, completed)
    return [(event.event_type, event.evidence) for event in detect_events(known, now, window_start=WINDOW_START)]


def test_an_old_order_never_seen_in_a_final_status_needs_its_notes_or_refunds():
    assert evidence(None, "cancelled") == [(CANCELLED, NOTES_EVIDENCE)]
    assert evidence(None, "failed") == [(FAILED, NOTES_EVIDENCE)]
    assert evidence(None, "refunded", paid=LONG_AGO, refunded="10") == [(REFUNDED, REFUNDS_EVIDENCE)]
    assert evidence(None, "on-hold") == [(NEW, NOTES_EVIDENCE), (ON_HOLD, NOTES_EVIDENCE)]


def test_a_partial_refund_of_an_order_never_seen_needs_the_refunds_dates():
    assert evidence(None, "processing", paid=LONG_AGO, refunded="5") == [(PARTIALLY_REFUNDED, REFUNDS_EVIDENCE)]


def test_a_completed_order_carries_its_own_evidence():
    assert evidence(None, "completed", paid=LONG_AGO, completed=LONG_AGO) == []
    assert evidence(None, "completed", paid=LONG_AGO, completed=NOW - timedelta(minutes=1)) == [(COMPLETED, None)]
    assert evidence(None, "completed", paid=LONG_AGO) == [(COMPLETED, NOTES_EVIDENCE)]


def test_an_order_created_inside_the_window_needs_no_evidence():
    assert evidence(None, "cancelled", created=NOW - timedelta(minutes=1)) == [(CANCELLED, None)]


def test_a_known_orders_changes_need_no_evidence():
    assert evidence(Known("processing"), "cancelled") == [(CANCELLED, None)]
    assert evidence(Known("processing"), "refunded", refunded="10") == [(REFUNDED, None)]


def test_a_payment_date_is_evidence_enough_for_a_new_order():
    assert evidence(None, "processing", paid=NOW - timedelta(minutes=1)) == [(NEW, None)]
    assert evidence(None, "cancelled", paid=LONG_AGO) == [(CANCELLED, NOTES_EVIDENCE)]
