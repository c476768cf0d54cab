"""`manage.py shop_status`: the seed's troubleshooting in one command, as text or JSON."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from notifications.models import DeliveryStatus
from shop.models import OrderEvent, Store
from shop.tasks import poll_orders
from tests.factories.notifications import DeliveryFactory
from tests.shop.conftest import ago
from tests.support.processes import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def run(*args: str) -> str:
    out = StringIO()
    call_command("shop_status", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def polled(sim, store):
    for status in ("processing", "processing", "pending"):
        sim.store.create_order(status=status, at=ago(sim, minutes=1))
    poll_orders.apply(kwargs={"store_id": store.pk, "trigger": "command"})
    # The worker publishes the two new orders; then one is made to look stuck in the outbox.
    wait_for(lambda: OrderEvent.objects.filter(published_at__isnull=False).count() == 2, timeout=30, what="publishing")
    OrderEvent.objects.filter(pk=OrderEvent.objects.order_by("pk").first().pk).update(published_at=None)
    DeliveryFactory(status=DeliveryStatus.DEAD)
    DeliveryFactory(status=DeliveryStatus.PENDING, next_attempt_at=timezone.now() + timedelta(hours=1))
    return Store.objects.get(pk=store.pk)


def test_json_shows_each_store_the_queues_the_workers_and_the_outboxes(celery_worker, polled):
    report = json.loads(run("--json"))

    [store] = report["stores"]
    assert store["store"] == "sim"
    assert store["last_poll"]["outcome"] == "ok"
    assert store["last_poll"]["trigger"] == "command"
    assert store["last_poll"]["orders"] == 3
    assert store["last_success_at"] == polled.last_success_at.isoformat()
    assert store["cursor"] == polled.cursor.isoformat()
    assert store["known_orders"] == 3
    assert store["unpublished_events"] == 1
    assert store["overdue"] is False
    assert store["failing_since"] is None
    assert set(report["queues"]) == {"default", "auth", "cart", "order", "product"}
    assert celery_worker.name in report["workers"]
    assert report["deliveries"]["dead"] == 1
    assert report["deliveries"]["pending"] == 1
    assert report["unpublished_events"]["count"] == 1


def test_text_reads_like_the_troubleshooting_checklist(celery_worker, polled):
    text = run()

    assert "sim (Simulated shop, rest): ok" in text
    assert ", 3 orders, 2 events" in text
    assert "known orders: 3; unpublished events: 1" in text
    assert "Queues: default=" in text
    assert "Workers alive (" in text
    assert celery_worker.name in text
    assert "dead=1" in text
    assert "Unpublished events: 1 (oldest " in text
    # Times carry their offset from UTC (the deployment's TIME_ZONE), as check_store's name UTC.
    success = timezone.localtime(polled.last_success_at).isoformat(sep=" ", timespec="seconds")
    assert f"last success: {success}; cursor: " in text


def test_a_failing_store_shows_its_error(sim, store, celery_worker):
    store.consumer_secret = "cs_wrong"
    store.save()
    poll_orders.apply(kwargs={"store_id": store.pk})

    text = run()

    assert "sim (Simulated shop, rest): FAILING since" in text
    assert "AuthenticationError" in text
    assert "last error:" in text
