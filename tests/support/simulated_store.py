"""A simulated WooCommerce store on a free port as pytest fixtures (a plugin of tests/conftest.py), and orders."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from simulator import SimulatedStore, StoreServer

# Orders made "an hour ago" sit safely before a listing's `modified_after` bound and
# before any change a test makes now.
AN_HOUR_AGO = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
BEFORE_ALL = AN_HOUR_AGO - timedelta(seconds=1)


@pytest.fixture
def server() -> Iterator[StoreServer]:
    """A simulated https store (behind a TLS proxy, so Basic auth works)."""
    with StoreServer() as running:
        yield running


@pytest.fixture
def plain_http_server() -> Iterator[StoreServer]:
    """A simulated plain-http store: WooCommerce accepts only OAuth 1.0a there."""
    with StoreServer(SimulatedStore(https=False)) as running:
        yield running


def fill(store: SimulatedStore, count: int, *, status: str = "processing") -> list[int]:
    """Create `count` orders an hour ago, one second apart; return their ids."""
    return [store.create_order(status=status, at=AN_HOUR_AGO + timedelta(seconds=n % 600)).id for n in range(count)]
