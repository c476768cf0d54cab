"""A shop's day, compressed: orders arrive, get paid, shipped, cancelled, refunded.

For the demo and for soak runs against the poller. Seeded, so a run can be replayed.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from decimal import Decimal

from simulator.payloads import SimItem
from simulator.store import SimulatedStore

NAMES = [("Ivan", "Petrov"), ("Anna", "Smirnova"), ("Oleg", "Ivanov"), ("Maria", "Kuznetsova"), ("John", "Doe")]
# (name as WooCommerce sends it, with its entities; attribute → values): what staff read about.
CATALOGUE = [
    ("Hoodie &laquo;Ohana&raquo; &ndash; blue", {"Size": ["S", "M", "L", "XL"]}),
    ("Tea &amp; honey gift box", {}),
    ("Ceramic mug", {"Colour": ["White", "Black"]}),
    ("Women&#039;s sneakers", {"Size": ["37", "38", "39"], "Colour": ["Grey", "Pink"]}),
    ("Notebook A5", {}),
]
CUSTOMERS = [
    {"email": "{first}.{last}@example.com", "phone": "+7 900 {n:03d}-12-34", "city": "Moscow"},
    {"email": "{first}@example.org", "phone": "+7 912 {n:03d}-55-00", "city": "Saint Petersburg"},
    {"email": "{last}@example.net", "phone": "", "city": "Kazan"},
]
PAYMENTS = [("card", "Credit card"), ("bacs", "Direct bank transfer"), ("cod", "Cash on delivery")]
SHIPPING = ["Courier", "Pickup point", "Russian Post"]
NOTES = ["", "", "Please call an hour before delivery", "Gift wrap, please &amp; no receipt"]
# (weight, action): new orders dominate, every transition staff hear about shows up.
ACTIONS = [
    (30, "create"),
    (20, "pay"),
    (8, "hold"),
    (15, "complete"),
    (7, "cancel"),
    (5, "fail"),
    (4, "refund_part"),
    (4, "refund_all"),
    (2, "draft"),
]


class Scenario:
    """Change a store one plausible step at a time, on demand or from a background thread."""

    def __init__(self, store: SimulatedStore, *, interval: float = 2.0, seed: int | None = None) -> None:
        self.store = store
        self.interval = interval
        self.random = random.Random(seed)  # noqa: S311 - a simulation, not a secret
        self.log: list[str] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _pick(self, *statuses: str) -> int | None:
        with self.store.lock:
            ids = [order.id for order in self.store.orders.values() if order.status in statuses]
        return self.random.choice(ids) if ids else None

    def step(self) -> str:
        """Make one change to the store and return what it was."""
        weights, actions = zip(*ACTIONS, strict=True)
        action = self.random.choices(actions, weights=weights)[0]
        target = {
            "pay": self._pick("pending", "on-hold"),
            "hold": self._pick("pending"),
            "complete": self._pick("processing"),
            "cancel": self._pick("pending", "on-hold"),
            "fail": self._pick("pending"),
            "refund_part": self._pick("processing", "completed"),
            "refund_all": self._pick("processing", "completed"),
        }.get(action)
        if action in ("create", "draft") or target is None:
            total = Decimal(self.random.randrange(300, 30000)) / 2
            status = "checkout-draft" if action == "draft" else "pending"
            order = self.store.create_order(status=status, total=total, **self.customer())
            message = f"order #{order.id} placed ({status}, {total:.2f} {order.currency})"
        elif action.startswith("refund"):
            order = self.store.orders[target]
            left = order.total - order.refunded
            amount = None if action == "refund_all" else (left / 3).quantize(Decimal("0.01"))
            refund = self.store.refund(target, amount, reason="customer request")
            message = f"order #{target} refunded {refund.amount:.2f}"
        else:
            status = {"pay": "processing", "hold": "on-hold", "complete": "completed", "cancel": "cancelled"}.get(
                action, "failed"
            )
            self.store.set_status(target, status)
            message = f"order #{target} is now {status}"
        self.log.append(message)
        return message

    def customer(self) -> dict:
        """Who orders what: a customer with contact details, products with variations, payment, shipping."""
        first, last = self.random.choice(NAMES)
        contact = self.random.choice(CUSTOMERS)
        n = self.random.randrange(1000)
        method, title = self.random.choice(PAYMENTS)
        products = []
        for name, attributes in self.random.sample(CATALOGUE, self.random.randint(1, 3)):
            chosen = {key: self.random.choice(values) for key, values in attributes.items()}
            products.append(SimItem(name, self.random.randint(1, 3), chosen))
        return {
            "first_name": first,
            "last_name": last,
            "email": contact["email"].format(first=first.lower(), last=last.lower()),
            "phone": contact["phone"].format(n=n),
            "city": contact["city"],
            "payment_method": method,
            "payment_method_title": title,
            "shipping_method": self.random.choice(SHIPPING),
            "customer_note": self.random.choice(NOTES),
            "products": products,
        }

    def start(self, on_step: Callable[[str], object] = print) -> None:
        """Take a scenario step every `interval` seconds in a background thread, passing each to `on_step`."""

        def run() -> None:
            while not self._stop.wait(self.interval):
                on_step(self.step())

        self._thread = threading.Thread(target=run, name="store-scenario", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop taking steps; wait up to 5 s for the thread."""
        self._stop.set()
        if self._thread:
            self._thread.join(5)
