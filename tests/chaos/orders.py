"""The chaos suite's shop: orders walked through paths whose every step is one order event."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from shop import rules
from shop.models import OrderState, Store
from simulator import SimulatedStore

# Each step changes an order in one way staff hear of, and names the one event it must yield.
PATHS = [
    [("processing", rules.NEW), ("completed", rules.COMPLETED)],
    [("processing", rules.NEW), ("cancelled", rules.CANCELLED)],
    [("failed", rules.FAILED)],
    [("processing", rules.NEW), ("refund_part", rules.PARTIALLY_REFUNDED), ("refund_all", rules.REFUNDED)],
    [("processing", rules.NEW), ("completed", rules.COMPLETED), ("refund_all", rules.REFUNDED)],
]


@dataclass
class Walker:
    """Place orders and move each to its next step once ADOLF has seen the previous one.

    A step made before the last one was exposed to anyone (a poll, a webhook) would
    overwrite it on the store unseen, which WooCommerce's API cannot show either; waiting
    for it keeps every transition observable, while many orders move at once.
    """

    sim: SimulatedStore
    store: Store
    in_flight: int
    seed: int = 1
    placed: int = 0
    transitions: int = 0
    expected: Counter = field(default_factory=Counter)
    _steps: dict[int, list] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)  # a simulation, not a secret

    def tick(self, limit: int) -> None:
        """Move every order ADOLF has caught up with; place new ones up to the in-flight count."""
        seen = {
            order_id: (status, refunded)
            for order_id, status, refunded in OrderState.objects.filter(
                store=self.store, order_id__in=list(self._steps)
            ).values_list("order_id", "status", "refunded_total")
        }
        for order_id in list(self._steps):
            if self.transitions >= limit:
                return
            order = self.sim.orders[order_id]
            if seen.get(order_id) != (order.status, Decimal(order.refunded)):
                continue
            self._step(order_id)
        while len(self._steps) < self.in_flight and self.transitions + len(self._steps) < limit:
            total = Decimal(self.random.randrange(300, 30000)) / 2
            order = self.sim.create_order(status="pending", total=total, first_name="Chaos", last_name="Test")
            self._steps[order.id] = list(self.random.choice(PATHS))
            self.placed += 1

    def _step(self, order_id: int) -> None:
        change, event_type = self._steps[order_id].pop(0)
        if change == "refund_part":
            order = self.sim.orders[order_id]
            self.sim.refund(order_id, (order.total / 3).quantize(Decimal("0.01")), reason="chaos")
        elif change == "refund_all":
            self.sim.refund(order_id, None, reason="chaos")
        else:
            self.sim.set_status(order_id, change)
        self.transitions += 1
        self.expected[(order_id, event_type)] += 1
        if not self._steps[order_id]:
            del self._steps[order_id]

    @property
    def moving(self) -> int:
        return len(self._steps)
