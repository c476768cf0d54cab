"""The REST client reads every modified order, past 100, page by page, and can resume."""

from __future__ import annotations

from datetime import timedelta

from shop.woocommerce import build_client
from tests.support.simulated_store import AN_HOUR_AGO, BEFORE_ALL, fill


def test_it_reads_every_order_past_the_first_hundred_exactly_once(server):
    ids = fill(server.store, 250)
    with build_client(server.config()) as client:
        pages = list(client.iter_modified_orders(BEFORE_ALL))
    seen = [order.id for page in pages for order in page.orders]
    assert seen == ids
    assert [page.number for page in pages] == [1, 2, 3]
    assert [page.last for page in pages] == [False, False, True]
    assert {(page.total_orders, page.total_pages) for page in pages} == {(250, 3)}
    assert all(page.store_time is not None for page in pages)


def test_it_asks_for_modified_orders_in_utc_by_ascending_id(server):
    fill(server.store, 3)
    requests = []
    with build_client(server.config()) as client:
        client._http.event_hooks["request"].append(requests.append)
        list(client.iter_modified_orders(BEFORE_ALL))
    params = dict(requests[0].url.params)
    assert params == {
        "modified_after": BEFORE_ALL.replace(tzinfo=None).isoformat(),
        "dates_are_gmt": "true",
        "orderby": "id",
        "order": "asc",
        "per_page": "100",
        "offset": "0",
    }


def test_modified_after_is_exclusive_and_status_changes_of_old_orders_are_seen(server):
    old, changed = fill(server.store, 2)
    server.store.set_status(changed, "completed", at=AN_HOUR_AGO + timedelta(minutes=30))
    with build_client(server.config()) as client:
        after = AN_HOUR_AGO + timedelta(minutes=30)
        assert [o.id for p in client.iter_modified_orders(after) for o in p.orders] == []
        after -= timedelta(seconds=1)
        orders = [o for p in client.iter_modified_orders(after) for o in p.orders]
    assert [(order.id, order.status) for order in orders] == [(changed, "completed")]
    assert old not in [order.id for order in orders]


def test_checkout_drafts_are_left_out_and_counted(server):
    fill(server.store, 2)
    fill(server.store, 1, status="checkout-draft")
    with build_client(server.config()) as client:
        (page,) = client.iter_modified_orders(BEFORE_ALL)
    assert [order.status for order in page.orders] == ["processing", "processing"]
    assert page.drafts_skipped == 1


def test_a_listing_resumes_from_a_pages_cursor(server):
    ids = fill(server.store, 230)
    with build_client(server.config()) as client:
        first = next(iter(client.iter_modified_orders(BEFORE_ALL)))
        rest = list(client.iter_modified_orders(BEFORE_ALL, resume=first.cursor))
    assert [o.id for o in first.orders] + [o.id for p in rest for o in p.orders] == ids
    assert [page.number for page in rest] == [2, 3]


def test_an_empty_listing_is_one_empty_last_page(server):
    with build_client(server.config()) as client:
        pages = list(client.iter_modified_orders(BEFORE_ALL))
    assert len(pages) == 1
    assert pages[0].orders == ()
    assert pages[0].last is True


def test_a_listing_that_fills_its_last_page_ends_without_asking_again(server):
    fill(server.store, 100)
    requests = []
    with build_client(server.config()) as client:
        client._http.event_hooks["request"].append(requests.append)
        pages = list(client.iter_modified_orders(BEFORE_ALL))
    assert len(pages) == 1
    assert pages[0].last is True
    assert len(requests) == 1
