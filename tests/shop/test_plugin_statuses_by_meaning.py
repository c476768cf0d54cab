"""Payment makes an order new, whatever the status is called: plugin statuses by the store's mapping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from shop import statuses
from shop.rules import CANCELLED, NEW, Known, Seen, detect_events

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
WINDOW_START = NOW - timedelta(minutes=5)
SEEDED = statuses.default_meanings()


def seen(status: str, *, paid: datetime | None = None, created: datetime | None = None) -> Seen:
    return Seen(status, Decimal(0), NOW, paid, created or NOW - timedelta(days=3))


def types(known: Known | None, now: Seen, meanings=SEEDED) -> list[str]:
    return [event.event_type for event in detect_events(known, now, window_start=WINDOW_START, meanings=meanings)]


def test_a_paid_order_first_seen_shipped_is_one_new_order():
    assert types(None, seen("shipped", paid=NOW - timedelta(minutes=2))) == [NEW]


def test_a_plugin_status_no_rule_knows_counts_as_paid_when_the_order_has_a_payment_date():
    assert types(None, seen("awaiting-fitting", paid=NOW - timedelta(minutes=2)), meanings={}) == [NEW]
    assert types(None, seen("awaiting-fitting"), meanings={}) == []


def test_a_mapped_paid_status_needs_no_payment_date_on_thin_orders():
    assert types(None, seen("shipped", created=NOW - timedelta(minutes=1))) == [NEW]
    assert types(Known("pending"), seen("shipped")) == [NEW]


def test_moving_between_paid_statuses_is_not_new():
    assert types(Known("processing"), seen("shipped", paid=NOW)) == []
    assert types(Known("shipped"), seen("delivered", paid=NOW)) == []
    assert NEW not in types(Known("shipped"), seen("completed", paid=NOW))


def test_leaving_an_awaiting_payment_status_for_a_paid_one_is_new():
    assert types(Known("pending-deposit"), seen("processing", paid=NOW - timedelta(days=30))) == [NEW]
    assert types(Known("pending-deposit"), seen("partially-paid")) == [NEW]


def test_entering_a_cancelled_like_status_is_a_cancellation():
    assert types(Known("pending"), seen("rejected")) == [CANCELLED]
    assert types(Known("shipped"), seen("rejected", paid=NOW - timedelta(days=1))) == [CANCELLED]


def test_an_ignored_status_raises_nothing_even_with_a_payment_date():
    assert types(Known("pending"), seen("quote", paid=NOW)) == []
    assert types(None, seen("return-requested", paid=NOW)) == []


def test_from_a_status_no_rule_knows_the_payment_date_decides_whether_the_payment_is_new():
    assert types(Known("pre-ordered"), seen("processing", paid=NOW - timedelta(minutes=1)), meanings={}) == [NEW]
    assert types(Known("pre-ordered"), seen("processing", paid=NOW - timedelta(days=9)), meanings={}) == []


@pytest.mark.parametrize(
    ("text", "mapping"),
    [
        ("shipped: paid\n\n# a comment\nwc-Quote: ignore  # from YITH", {"shipped": "paid", "quote": "ignore"}),
        ("", {}),
    ],
)
def test_a_mapping_is_written_one_status_a_line(text, mapping):
    assert statuses.parse_meanings(text) == mapping
    assert statuses.parse_meanings(statuses.format_meanings(mapping)) == mapping


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("shipped paid", "line 1: write it as “status: meaning”"),
        ("shipped: maybe", "line 1: “maybe” is not one of: paid, awaiting-payment, cancelled, ignore"),
        ("\ncancelled: paid", "line 2: “cancelled” is WooCommerce's own status; its meaning cannot change"),
        ("ship ped: paid", "line 1: “ship ped” is not a status slug"),
    ],
)
def test_a_mapping_line_that_cannot_work_is_refused_naming_it(text, error):
    with translation.override("en"), pytest.raises(ValueError, match=r"^line") as refused:
        statuses.parse_meanings(text)
    assert str(refused.value) == error
