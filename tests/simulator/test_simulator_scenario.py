"""The demo scenario keeps a store busy with plausible orders and changes, reproducibly."""

from __future__ import annotations

from simulator import SimulatedStore
from simulator.scenario import Scenario
from tests.support.processes import wait_for


def test_a_seeded_scenario_creates_and_moves_orders_the_same_way_every_time():
    logs = []
    for _ in range(2):
        store = SimulatedStore()
        scenario = Scenario(store, seed=7)
        for _ in range(200):
            scenario.step()
        logs.append(scenario.log)
        statuses = {order.status for order in store.orders.values()}
    assert logs[0] == logs[1]
    assert {"pending", "processing", "completed", "cancelled"} <= statuses
    assert any(order.refunds for order in store.orders.values())


def test_a_running_scenario_changes_the_store_in_the_background():
    store = SimulatedStore()
    scenario = Scenario(store, interval=0.01, seed=1)
    seen = []
    scenario.start(on_step=seen.append)
    try:
        wait_for(lambda: len(seen) >= 5, timeout=10, what="five scenario steps")
    finally:
        scenario.stop()
    assert len(store.orders) >= 1
