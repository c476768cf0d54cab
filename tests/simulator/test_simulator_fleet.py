"""One simulator process serves a fleet of stores, each under its own path with its own keys and orders."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from shop.woocommerce import AuthenticationError, build_client
from simulator.fleet import StoreFleet, Trickle
from tests.support.simulated_store import BEFORE_ALL, fill


@pytest.fixture
def fleet() -> Iterator[StoreFleet]:
    # Plain http: every request is signed with OAuth 1.0a over the store's own folder URL.
    with StoreFleet() as running:
        yield running


def listed(config) -> list[int]:
    with build_client(config) as client:
        return [order.id for page in client.iter_modified_orders(BEFORE_ALL) for order in page.orders]


def test_each_store_answers_under_its_own_path_with_only_its_own_orders(fleet):
    first, second = fleet.add(), fleet.add()
    first_ids, second_ids = fill(first, 3), fill(second, 120)

    assert (first.base_url, second.base_url) == (f"{fleet.url}/stores/0001", f"{fleet.url}/stores/0002")
    assert listed(fleet.config(first)) == first_ids
    assert listed(fleet.config(second)) == second_ids  # two pages, the second found by the seek


def test_a_store_refuses_another_stores_keys(fleet):
    first, second = fleet.add(), fleet.add()
    other_keys = fleet.config(second, key=first.rw_key.key, secret=first.rw_key.secret)
    with pytest.raises(AuthenticationError):
        listed(other_keys)


def test_https_stores_of_a_fleet_take_basic_auth():
    with StoreFleet(https=True) as fleet:
        store = fleet.add("main")
        ids = fill(store, 2)
        assert fleet.config(store).rest_auth == "basic"
        assert listed(fleet.config(store)) == ids


def test_each_store_has_its_own_control_api(fleet):
    first, second = fleet.add(), fleet.add()
    response = httpx.post(f"{second.base_url}/_simulator/orders", json={"status": "processing"}, timeout=5)
    assert response.status_code == 201
    assert (len(first.orders), len(second.orders)) == (0, 1)


def test_a_path_where_no_store_lives_is_the_hosts_404_page(fleet):
    fleet.add()
    for path in ("/wp-json/wc/v3/orders", "/stores/9999/wp-json/wc/v3/orders", "/"):
        response = httpx.get(f"{fleet.url}{path}", timeout=5)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/html")


def test_a_name_is_taken_once():
    fleet = StoreFleet()
    fleet.add("main")
    with pytest.raises(ValueError, match="'main' is taken"):
        fleet.add("main")
    fleet.stop()


def test_a_trickle_changes_stores_across_the_fleet_reproducibly():
    logs = []
    for _ in range(2):
        fleet = StoreFleet()
        for _ in range(5):
            fleet.add()
        trickle = Trickle(fleet, per_minute=600, seed=3)
        logs.append([trickle.step() for _ in range(100)])
        fleet.stop()
        changed = {name for name, member in fleet.members.items() if member.store.orders}
    assert logs[0] == logs[1]
    assert changed == {"0001", "0002", "0003", "0004", "0005"}
