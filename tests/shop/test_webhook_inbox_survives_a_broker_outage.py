"""With the broker down the receiver still answers 2xx and keeps the delivery; the sweeper processes it when it is back.

The broker is a redis-server of the test's own, stopped and started again; the worker and
this process both use it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery import Celery
from django.utils import timezone

from shop import inbox
from shop.models import OrderEvent, Store, WebhookDelivery
from shop.operations import webhook_inbox
from shop.tasks import sweep_webhooks
from tests.shop.conftest import ago
from tests.shop.webhook_support import SECRET, deliver
from tests.support.broker import use_broker
from tests.support.processes import start_worker, wait_for
from tests.support.redis_server import RedisServer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_delivery_received_while_the_broker_is_down_is_answered_202_and_processed_when_it_is_back(
    client, sim, store, tmp_path, monkeypatch
):
    monkeypatch.setattr(inbox, "_broker_down_until", 0.0)  # restored afterwards, for the tests that follow
    Store.objects.filter(pk=store.pk).update(webhook_secret=SECRET)
    store.refresh_from_db()
    order = sim.store.create_order(status="processing", at=ago(sim, minutes=1))
    broker = RedisServer(tmp_path).start()
    control = Celery("control", broker=broker.url, set_as_current=False)
    worker = start_worker(tmp_path, queues=("default",), control=control, CELERY_BROKER_URL=broker.url)
    try:
        with use_broker(broker.url):
            broker.stop()
            response = deliver(client, store, {"id": order.id})
            assert response.status_code == 202
            waiting = WebhookDelivery.objects.get()
            assert (waiting.order_id, waiting.status, waiting.attempts) == (order.id, "pending", 0)
            assert webhook_inbox()["waiting"] == 1  # what `shop_status` shows the operator

            broker.start()
            # A minute later beat runs the sweeper (its grace period and the pause after the failure over).
            WebhookDelivery.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=1))

            def processed() -> bool:
                if WebhookDelivery.objects.filter(status="done").exists():
                    return True
                inbox._broker_down_until = 0.0  # each round stands for the sweeper's next minute
                sweep_webhooks.apply()
                return False

            wait_for(processed, timeout=60, interval=1, what="the sweeper to have the delivery processed")
    finally:
        worker.stop()
        control.close()
        broker.stop()

    event = OrderEvent.objects.get(order_id=order.id)
    assert (event.event_type, event.source) == ("shop.order.new", "webhook")
    assert WebhookDelivery.objects.get().attempts == 1
