"""Many simulated stores behind one socket, each under a path prefix of its own.

    with StoreFleet() as fleet:
        shop = fleet.add()                      # http://127.0.0.1:PORT/stores/0001
        shop.create_order(status="processing")
        client = build_client(fleet.config(shop))

Each store is a whole `SimulatedStore` — its own keys, orders, clock, faults, webhooks and
control API (`<store URL>/_simulator/`) — served as a WordPress site installed in a folder
(`https://example.com/shop/wp-json/…` is a real WooCommerce layout). A thousand stores cost
one process and one listening socket, so a benchmark can poll a fleet of them.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Any

from shop.woocommerce.config import StoreConfig
from simulator.routes import Router
from simulator.scenario import Scenario
from simulator.server import Listener, Site, store_config
from simulator.store import SimulatedStore
from simulator.webhooks import WebhookHub

PREFIX = "/stores/"


@dataclass
class Member:
    """One store of the fleet, with the router and webhook hub that serve it."""

    name: str
    store: SimulatedStore
    router: Router
    hub: WebhookHub


class StoreFleet(Listener):
    """Serve any number of simulated stores from one HTTP server on loopback."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, https: bool = False, verbose: bool = False) -> None:
        super().__init__(host, port)
        self.https = https
        self.verbose = verbose
        self.members: dict[str, Member] = {}
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        """The host's base URL; each store of the fleet is under its own path."""
        return self.host_url

    def add(self, name: str | None = None, **store_options: Any) -> SimulatedStore:
        """Create a store at `<url>/stores/<name>` (name: the next number, zero-padded) and return it."""
        with self._lock:
            name = name or f"{len(self.members) + 1:04d}"
            if name in self.members or "/" in name:
                raise ValueError(f"store name {name!r} is taken or has a slash")
            store = SimulatedStore(https=self.https, **store_options)
            store.base_url = f"{self.host_url}{PREFIX}{name}"
            hub = WebhookHub(store)
            self.members[name] = Member(name, store, Router(store, hub), hub)
            return store

    def stores(self) -> list[SimulatedStore]:
        """Every store of the fleet, in the order they were created."""
        return [member.store for member in self.members.values()]

    def resolve(self, target: str) -> Site | None:
        """Find the store whose prefix the target starts with; None for any other path."""
        if not target.startswith(PREFIX):
            return None
        name, slash, rest = target[len(PREFIX) :].partition("/")
        name, question, query = name.partition("?")
        member = self.members.get(name)
        if member is None:
            return None
        local = "/" + rest if slash else "/"
        if question:
            local += "?" + query
        return member.store, member.router, local

    def config(self, store: SimulatedStore, api: str = "rest", **options: Any) -> StoreConfig:
        """Return a StoreConfig for one of the fleet's stores."""
        return store_config(store, api, **options)

    def stop(self) -> None:
        """Stop serving, and each store's webhook deliveries."""
        super().stop()
        for member in self.members.values():
            member.hub.close()


class Trickle:
    """Change random stores of a fleet at a steady rate: new orders, payments, cancellations, refunds.

    `per_minute` changes across the whole fleet, each one a `Scenario` step of one store
    picked at random; seeded, so a run can be replayed.
    """

    def __init__(self, fleet: StoreFleet, *, per_minute: float, seed: int | None = None) -> None:
        self.fleet = fleet
        self.per_minute = per_minute
        self.random = random.Random(seed)  # noqa: S311 - a simulation, not a secret
        self.steps = 0
        self._scenarios: dict[str, Scenario] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def step(self) -> str:
        """Make one change to one store picked at random; return what it was."""
        name = self.random.choice(list(self.fleet.members))
        scenario = self._scenarios.get(name)
        if scenario is None:
            scenario = Scenario(self.fleet.members[name].store, seed=self.random.randrange(2**32))
            self._scenarios[name] = scenario
        self.steps += 1
        return f"{name}: {scenario.step()}"

    def start(self) -> None:
        """Start changing orders in a background thread, `per_minute` on average (exponential gaps)."""
        interval = 60.0 / self.per_minute

        def run() -> None:
            while not self._stop.wait(self.random.expovariate(1 / interval)):
                self.step()

        self._thread = threading.Thread(target=run, name="fleet-trickle", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop changing orders; wait up to 5 s for the thread."""
        self._stop.set()
        if self._thread:
            self._thread.join(5)
