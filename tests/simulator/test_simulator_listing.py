"""The simulator lists orders with WooCommerce's semantics: filters, bounds, sorting, headers, errors."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from tests.support.simulated_store import AN_HOUR_AGO, fill


def wc_get(server, path="orders", **params):
    key = server.store.rw_key
    return httpx.get(f"{server.url}/wp-json/wc/v3/{path}", params=params, auth=(key.key, key.secret), timeout=5)


def ids(response):
    assert response.status_code == 200, response.text
    return [order["id"] for order in response.json()]


def gmt(when):
    return when.replace(tzinfo=None).isoformat()


def test_modified_after_and_before_are_exclusive_and_compare_utc_with_dates_are_gmt(server):
    a, b, c = (server.store.create_order(at=AN_HOUR_AGO + timedelta(seconds=n)).id for n in range(3))
    window = {"modified_after": gmt(AN_HOUR_AGO), "modified_before": gmt(AN_HOUR_AGO + timedelta(seconds=2))}
    assert ids(wc_get(server, dates_are_gmt="true", orderby="id", order="asc", **window)) == [b]
    # Without dates_are_gmt the bounds are the site's local time (UTC+3 here): three hours later.
    assert ids(wc_get(server, orderby="id", **window)) == []
    local = {name: gmt(AN_HOUR_AGO + timedelta(hours=3)) for name in ("modified_after",)}
    assert ids(wc_get(server, orderby="id", order="asc", **local)) == [b, c]
    assert a not in ids(wc_get(server, dates_are_gmt="1", after=gmt(AN_HOUR_AGO)))


def test_any_includes_checkout_drafts_but_not_trash_which_must_be_asked_for(server):
    kept, draft, trashed = fill(server.store, 3)
    server.store.set_status(draft, "checkout-draft")
    server.store.trash(trashed)
    assert ids(wc_get(server, orderby="id", order="asc")) == [kept, draft]
    assert ids(wc_get(server, status="trash")) == [trashed]
    assert ids(wc_get(server, status="processing,trash", orderby="id", order="asc")) == [kept, trashed]
    assert ids(wc_get(server, **{"status[]": "checkout-draft"})) == [draft]


def test_orderby_date_modified_and_id_in_both_directions(server):
    first, second = fill(server.store, 2)
    server.store.set_status(first, "completed")
    assert ids(wc_get(server)) == [second, first]  # date desc by default
    assert ids(wc_get(server, orderby="modified", order="desc")) == [first, second]
    assert ids(wc_get(server, orderby="id", order="asc")) == [first, second]


def test_pages_carry_totals_links_and_the_stores_clock(server):
    fill(server.store, 25)
    response = wc_get(server, per_page=10, page=2, dates_are_gmt="true")
    assert response.headers["X-WP-Total"] == "25"
    assert response.headers["X-WP-TotalPages"] == "3"
    links = {link["rel"]: httpx.URL(link["url"]).params for link in response.links.values()}
    assert links["prev"]["page"] == "1"
    assert links["next"]["page"] == "3"
    # As WooCommerce rewrites them: status[0]=any added, booleans as 1.
    assert links["next"]["status[0]"] == "any"
    assert links["next"]["dates_are_gmt"] == "1"
    assert response.headers["Date"].endswith("GMT")
    assert len(response.json()) == 10


def test_a_page_past_the_end_is_empty_and_counts_nothing(server):
    fill(server.store, 3)
    response = wc_get(server, page=5)
    assert response.json() == []
    assert response.headers["X-WP-Total"] == "0"


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"per_page": 101}, "per_page"),
        ({"per_page": 0}, "per_page"),
        ({"page": 0}, "page"),
        ({"orderby": "price"}, "orderby"),
        ({"order": "up"}, "order"),
        ({"status": "shipped"}, "status"),
        ({"modified_after": "yesterday"}, "modified_after"),
    ],
)
def test_bad_parameters_are_refused_with_rest_invalid_param(server, params, name):
    response = wc_get(server, **params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "rest_invalid_param"
    assert body["data"]["status"] == 400
    assert name in body["data"]["params"]


def test_unknown_routes_and_anonymous_requests_get_wordpress_errors(server):
    assert httpx.get(f"{server.url}/wp-json/wc/v3/nothing-here").json()["code"] == "rest_no_route"
    anonymous = httpx.get(f"{server.url}/wp-json/wc/v3/orders")
    assert anonymous.status_code == 401
    assert anonymous.json() == {
        "code": "woocommerce_rest_cannot_view",
        "message": "Sorry, you cannot list resources.",
        "data": {"status": 401},
    }


def test_a_full_refund_makes_the_order_refunded_and_a_partial_one_does_not(server):
    paid, other = fill(server.store, 2)
    server.store.refund(paid, "500.00")
    assert server.store.orders[paid].status == "processing"
    server.store.refund(paid)
    server.store.refund(other, "1500.00")
    assert server.store.orders[paid].status == "refunded"
    assert server.store.orders[other].status == "refunded"
    order = wc_get(server, f"orders/{paid}").json()
    assert [refund["total"] for refund in order["refunds"]] == ["-1000.00", "-500.00"]
