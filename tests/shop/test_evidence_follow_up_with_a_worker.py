"""A bulk touch in a real worker: the poll reads a batch of evidence, shop.resolve_evidence the rest."""

from __future__ import annotations

import pytest

from shop.models import AwaitingEvidence, OrderEvent, OrderState, Store
from shop.tasks import poll_orders
from tests.shop.conftest import ago
from tests.support.processes import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_orders_touched_in_bulk_are_all_resolved_by_follow_ups_and_none_announced(sim, store, celery_worker):
    touched = []
    for _ in range(120):  # more than a poll reads (SHOP_EVIDENCE_BATCH, 50)
        order = sim.store.create_order(status="pending", at=ago(sim, days=200)).id
        sim.store.set_status(order, "cancelled", at=ago(sim, days=180))
        sim.store.touch(order)
        touched.append(order)
    recent = sim.store.create_order(status="pending", at=ago(sim, days=3)).id
    sim.store.set_status(recent, "cancelled")

    poll_orders.delay(store_id=store.pk)

    wait_for(
        lambda: OrderState.objects.filter(store=store).count() == 121 and not AwaitingEvidence.objects.exists(),
        timeout=120,
        what="every touched order's evidence to be read",
    )
    assert list(OrderEvent.objects.values_list("order_id", "event_type")) == [(recent, "shop.order.cancelled")]
    assert Store.objects.get(pk=store.pk).evidence_waiting == 0
    assert sum(1 for path in sim.requests if path.endswith("/notes")) == 121
