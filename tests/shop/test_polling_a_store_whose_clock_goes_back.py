"""A store whose clock is set back (an NTP fix, a moved host, a misapplied time zone) loses no change.

The cursor is the store's clock. Before: after the store's clock went back an hour, the next
poll asked for `modified_after` an hour past the store's new "now", and every order changed
in that hour was listed by no poll. A store that sends no `Date` header fell back to our
clock, which may run ahead of the store's: the same loss.
"""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from shop.listing_health import findings
from shop.models import OrderEvent, Store
from shop.polling import poll_store
from shop.rules import CANCELLED, NEW
from tests.shop.conftest import store_for
from tests.support.certificates import issue, make_ca, tls_store

pytestmark = pytest.mark.django_db

CA = make_ca("Clock CA")
# The least overlap a store may have: a poll that comes later than it re-reads finds the gap.
OVERLAP = 10


def events() -> list[tuple[int, str]]:
    return list(OrderEvent.objects.order_by("pk").values_list("order_id", "event_type"))


def went_back_by(store: Store) -> str:
    with translation.override("en"):
        return next(text for ok, text in findings(store) if not ok and "clock went back" in text)


@pytest.fixture
def https_store(tmp_path, db):
    """A store over real TLS (Basic auth: OAuth 1.0a over http refuses a clock 15 minutes off)."""
    with tls_store(issue(CA), tmp_path) as server:
        key = server.store.read_key
        row = Store.objects.create(
            name="TLS shop", slug="tls", base_url=server.url, ca_certificate=CA.cert_pem,
            consumer_key=key.key, consumer_secret=key.secret, overlap=OVERLAP,
        )  # fmt: skip
        yield server, row


def test_an_order_changed_after_the_clock_went_back_an_hour_is_announced_exactly_once(https_store):
    sim, store = https_store
    poll_store(store.pk)
    sim.store.set_clock_offset(-3600)
    paid = sim.store.create_order(status="processing").id
    time.sleep(OVERLAP + 1)  # the next poll comes later than the overlap re-reads

    for _ in range(3):
        poll_store(store.pk)

    assert events() == [(paid, NEW)]
    store.refresh_from_db()
    assert 3595 <= store.clock_went_back_by <= 3605
    assert store.cursor <= sim.store.now()  # on the store's new clock, read from far enough back
    text = went_back_by(store)
    assert text.startswith(f"The store's clock went back by {store.clock_went_back_by} s (seen ")
    assert "none was missed" in text


def test_an_order_changed_while_the_clock_stays_back_is_announced_once_and_no_jump_is_seen_again(sim, store):
    poll_store(store.pk)
    sim.store.set_clock_offset(-600)
    poll_store(store.pk)
    store.refresh_from_db()
    seen = (store.clock_went_back_at, store.clock_went_back_by)

    order = sim.store.create_order(status="pending").id
    sim.store.set_status(order, "cancelled")
    poll_store(store.pk)
    poll_store(store.pk)

    assert events() == [(order, CANCELLED)]
    store.refresh_from_db()
    assert (store.clock_went_back_at, store.clock_went_back_by) == seen  # a steady clock is no new jump


def test_a_clock_set_back_while_a_listing_is_read_leaves_a_cursor_early_enough(sim):
    store = store_for(sim, overlap=OVERLAP)
    poll_store(store.pk)
    backlog = [sim.store.create_order(status="processing").id for _ in range(150)]
    late = []

    def set_back_after_page_one(page, run) -> None:
        if page.number == 1:
            sim.store.set_clock_offset(-600)
            late.append(sim.store.create_order(status="processing").id)

    poll_store(store.pk, on_page=set_back_after_page_one)
    time.sleep(OVERLAP + 1)
    poll_store(store.pk)
    poll_store(store.pk)

    assert sorted(events()) == sorted((order, NEW) for order in [*backlog, *late])


def test_a_clock_set_forward_moves_the_cursor_on_and_is_no_finding(sim, store):
    poll_store(store.pk)
    sim.store.set_clock_offset(600)
    paid = sim.store.create_order(status="processing").id
    poll_store(store.pk)

    assert events() == [(paid, NEW)]
    store.refresh_from_db()
    assert store.clock_went_back_at is None
    assert all("clock went back" not in text for _ok, text in findings(store))


def test_a_store_without_a_date_header_and_a_clock_behind_ours_loses_no_change(sim, store):
    sim.store.sends_date = False
    sim.store.set_clock_offset(-600)  # our clock would put the cursor ten minutes ahead of the store's
    poll_store(store.pk)
    first = sim.store.create_order(status="processing").id
    poll_store(store.pk)
    second = sim.store.create_order(status="pending").id
    sim.store.set_status(second, "cancelled")
    poll_store(store.pk)
    poll_store(store.pk)

    assert events() == [(first, NEW), (second, CANCELLED)]
    store.refresh_from_db()
    # The cursor moved by what was read, never past the store's own clock.
    assert store.cursor == sim.store.orders[second].modified
    assert store.clock_skew is None


def test_check_store_and_shop_status_say_the_clock_went_back(sim, store):
    poll_store(store.pk)
    sim.store.set_clock_offset(-500)
    poll_store(store.pk)

    out = StringIO()
    call_command("check_store", store.slug, language="en", stdout=out)  # a warning: polls work
    lines = out.getvalue().splitlines()
    said = re.compile(r"\[warning\] clock went back: The store's clock went back by (499|500|501) s \(seen ")
    assert any(said.match(line) for line in lines), lines

    status = StringIO()
    with translation.override("en"):
        call_command("shop_status", "--json", stdout=status)
    (row,) = json.loads(status.getvalue())["stores"]
    assert re.match(r"The store's clock went back by (499|500|501) s", row["clock_went_back"])


def test_a_poll_after_a_week_no_longer_reports_an_old_jump(sim, store):
    poll_store(store.pk)
    sim.store.set_clock_offset(-900)
    poll_store(store.pk)
    Store.objects.filter(pk=store.pk).update(clock_went_back_at=store.created - timedelta(days=8))
    store.refresh_from_db()

    assert all("clock went back" not in text for _ok, text in findings(store))


def test_a_clock_set_back_within_the_overlap_loses_nothing_and_is_not_reported(sim, store):
    poll_store(store.pk)
    sim.store.set_clock_offset(-30)  # the store re-reads 120 s each poll anyway; a slow answer looks like this too
    paid = sim.store.create_order(status="processing").id
    poll_store(store.pk)
    poll_store(store.pk)

    assert events() == [(paid, NEW)]
    store.refresh_from_db()
    assert store.clock_went_back_at is None
