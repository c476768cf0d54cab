"""A simulated plain-http store (OAuth 1.0a, as WooCommerce requires there) and its Store row."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from shop.models import Store
from simulator import SimulatedStore, StoreServer
from tests.shop.webhook_support import SECRET


@pytest.fixture
def sim() -> Iterator[StoreServer]:
    with StoreServer(SimulatedStore(https=False)) as running:
        yield running


def store_for(sim: StoreServer, **fields) -> Store:
    key = sim.store.read_key
    return Store.objects.create(
        name=fields.pop("name", "Simulated shop"),
        slug=fields.pop("slug", "sim"),
        base_url=sim.url,
        allow_http=True,
        consumer_key=key.key,
        consumer_secret=key.secret,
        **fields,
    )


@pytest.fixture
def store(sim, db) -> Store:
    return store_for(sim)


@pytest.fixture
def hooked(store) -> Store:
    """The store with the webhook secret the webhook tests sign with (tests.shop.webhook_support.SECRET)."""
    Store.objects.filter(pk=store.pk).update(webhook_secret=SECRET)
    store.refresh_from_db()
    return store


def ago(sim: StoreServer, **delta):
    """A time on the store's clock, `delta` ago."""
    return sim.store.now() - timedelta(**delta)
