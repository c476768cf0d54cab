"""Webhook rows are drained in batches: one request and one transaction per store, each store's failures its own."""

from __future__ import annotations

import socket
from collections import Counter
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from shop import inbox
from shop.models import OrderEvent, Store, WebhookDelivery
from shop.rules import NEW
from simulator import SimulatedStore, StoreServer
from tests.shop.conftest import ago, store_for
from tests.shop.webhook_support import SECRET, deliver

pytestmark = pytest.mark.django_db

LISTING = "/wp-json/wc/v3/orders"


@pytest.fixture
def enqueued(monkeypatch):
    """What the inbox hands to the broker: (delivery ids or None for a drain, countdown) per task."""
    calls: list[tuple[list[int] | None, float | None]] = []
    monkeypatch.setattr(
        inbox,
        "enqueue",
        lambda ids, countdown=None: calls.append((None if ids is None else list(ids), countdown)) or True,
    )
    cache.delete(inbox.NUDGE_KEY)  # the cache outlives a test: no drain of an earlier one is on its way
    yield calls
    cache.delete(inbox.NUDGE_KEY)


@pytest.fixture
def silent_cache(enqueued, settings):
    """The cache pointed at a host that takes connections and never answers (a Redis behind a partition)."""
    with socket.create_server(("127.0.0.1", 0)) as silent:  # the kernel completes the handshake; nobody reads
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{silent.getsockname()[1]}/0",
                "OPTIONS": settings.REDIS_CACHE_OPTIONS,
            }
        }
        yield


@pytest.fixture
def other_sim():
    with StoreServer(SimulatedStore(https=False)) as running:
        yield running


def rows(store: Store, order_ids: list[int], topic: str = "order.created") -> list[WebhookDelivery]:
    return [WebhookDelivery.objects.create(store=store, order_id=order_id, topic=topic) for order_id in order_ids]


def orders(sim: StoreServer, count: int) -> list[int]:
    return [sim.store.create_order(status="processing", at=ago(sim, minutes=1)).id for _ in range(count)]


def store_requests(sim: StoreServer) -> list[str]:
    return [path for path in sim.requests if path.startswith("/wp-json/")]


def statuses(received: list[WebhookDelivery]) -> list[tuple[str, int]]:
    return [
        (row.status, row.attempts)
        for row in WebhookDelivery.objects.filter(pk__in=[r.pk for r in received]).order_by("pk")
    ]


def test_many_rows_of_one_store_are_read_with_one_request_and_each_order_yields_its_event_once(sim, store, enqueued):
    order_ids = orders(sim, 40)
    received = rows(store, order_ids) + rows(store, order_ids[:5], topic="order.updated")  # a created and an updated
    handed_on: list[list[int]] = []
    sim.requests.clear()

    counts = inbox.drain(on_events=handed_on.append)

    assert counts == {"done": 45, "retry": 0, "failed": 0, "released": 0}
    assert store_requests(sim) == [LISTING]
    assert sorted(map(int, sim.queries[-1]["include"].split(","))) == sorted(order_ids)
    assert Counter(OrderEvent.objects.values_list("order_id", "event_type")) == {(oid, NEW): 1 for oid in order_ids}
    assert sorted(pk for ids in handed_on for pk in ids) == sorted(OrderEvent.objects.values_list("pk", flat=True))
    # Each event is counted once: on the first row of its order.
    done = WebhookDelivery.objects.filter(pk__in=[row.pk for row in received])
    assert set(done.values_list("status", flat=True)) == {"done"}
    assert sum(done.values_list("events_created", flat=True)) == 40
    assert enqueued == []


def test_rows_of_two_stores_are_read_with_one_request_per_store(sim, store, other_sim, enqueued):
    other = store_for(other_sim, slug="other", name="Other shop")
    here, there = orders(sim, 3), orders(other_sim, 4)
    rows(store, here[:2]), rows(other, there[:2]), rows(store, here[2:]), rows(other, there[2:])
    sim.requests.clear(), other_sim.requests.clear()

    assert inbox.drain(on_events=list) == {"done": 7, "retry": 0, "failed": 0, "released": 0}

    assert store_requests(sim) == [LISTING]
    assert store_requests(other_sim) == [LISTING]
    assert set(OrderEvent.objects.values_list("store__slug", "order_id")) == {("sim", oid) for oid in here} | {
        ("other", oid) for oid in there
    }


def test_a_failing_stores_rows_wait_for_their_retry_while_the_other_stores_rows_are_done(
    sim, store, other_sim, enqueued, django_capture_on_commit_callbacks
):
    other = store_for(other_sim, slug="other", name="Other shop")
    outage = sim.store.inject("status", status=503, times=100, path=LISTING, retry_after="9")
    failing, working = rows(store, orders(sim, 3)), rows(other, orders(other_sim, 3))

    with django_capture_on_commit_callbacks(execute=True):
        counts = inbox.drain(on_events=list)

    assert counts == {"done": 3, "retry": 3, "failed": 0, "released": 0}
    assert statuses(failing) == [("pending", 1)] * 3
    assert statuses(working) == [("done", 1)] * 3
    assert set(OrderEvent.objects.values_list("store__slug", flat=True)) == {"other"}
    waiting = WebhookDelivery.objects.filter(pk__in=[row.pk for row in failing])
    assert all(timedelta(seconds=8) < row.next_attempt_at - timezone.now() <= timedelta(seconds=9) for row in waiting)
    assert enqueued == [([row.pk for row in failing], 9)]

    # Its retry, once due, reads the store again and records what the store now serves.
    waiting.update(next_attempt_at=timezone.now())
    outage.times = 0  # the store is back
    assert inbox.process([row.pk for row in failing], on_events=list) == {
        "done": 3, "retry": 0, "failed": 0, "released": 0,
    }  # fmt: skip
    assert statuses(failing) == [("done", 2)] * 3
    assert OrderEvent.objects.count() == 6


def test_rows_of_a_store_that_cannot_be_reached_wait_for_their_retry_while_the_others_are_done(
    sim, store, enqueued, django_capture_on_commit_callbacks
):
    with StoreServer(SimulatedStore(https=False)) as gone_sim:
        gone = store_for(gone_sim, slug="gone", name="Gone shop")
        unreachable = rows(gone, orders(gone_sim, 2))
    # Its server stopped: every connection is refused.
    working = rows(store, orders(sim, 2))

    with django_capture_on_commit_callbacks(execute=True):
        assert inbox.drain(on_events=list) == {"done": 2, "retry": 2, "failed": 0, "released": 0}

    assert statuses(unreachable) == [("pending", 1)] * 2
    assert statuses(working) == [("done", 1)] * 2
    assert WebhookDelivery.objects.get(pk=unreachable[0].pk).last_error.startswith("TransientError: ")
    assert [ids for ids, _ in enqueued] == [[row.pk for row in unreachable]]


def test_a_row_claimed_by_a_worker_that_died_is_released_by_the_sweeper_and_processed_once(sim, store, enqueued):
    (received,) = rows(store, orders(sim, 1))
    (dead,) = inbox.claim(None, timezone.now())  # the worker that claimed it dies before any outcome
    # Its lease runs out: the claim is older than any task may run.
    dead.claimed_at -= inbox.lease() + timedelta(seconds=1)
    WebhookDelivery.objects.filter(pk=dead.pk).update(claimed_at=dead.claimed_at)

    assert inbox.sweep() == {"dispatched": 1, "released": 1}
    assert enqueued == [([received.pk], None)]
    assert inbox.process([received.pk], on_events=list)["done"] == 1

    # The dead claim's outcome, were it to arrive late after all, changes nothing.
    assert inbox._finish([dead], status="failed", last_error="late") == []
    received.refresh_from_db()
    assert (received.status, received.attempts, received.events_created) == ("done", 2, 1)
    assert OrderEvent.objects.count() == 1


def test_a_burst_of_deliveries_enqueues_one_drain_and_a_delivery_after_it_started_the_next(sim, store, enqueued):
    Store.objects.filter(pk=store.pk).update(webhook_secret=SECRET)
    store.refresh_from_db()
    client = Client(HTTP_HOST="127.0.0.1")
    burst = orders(sim, 20)

    for order_id in burst:
        assert (
            deliver(client, store, sim.store.render(sim.store.order(order_id)), topic="order.created").status_code
            == 202
        )
    assert enqueued == [(None, None)]

    assert inbox.drain(on_events=list)["done"] == 20
    (late,) = orders(sim, 1)
    assert deliver(client, store, sim.store.render(sim.store.order(late)), topic="order.created").status_code == 202
    assert enqueued == [(None, None), (None, None)]
    assert OrderEvent.objects.count() == 20  # the late one waits for its own drain


def test_a_drain_past_its_time_hands_its_rows_back_uncounted_and_queues_the_next_drain(sim, store, enqueued):
    received = rows(store, orders(sim, 3))
    sim.requests.clear()

    assert inbox.drain(on_events=list, budget=0) == {"done": 0, "retry": 0, "failed": 0, "released": 3}

    assert statuses(received) == [("pending", 0)] * 3
    assert store_requests(sim) == []
    assert enqueued == [(None, None)]
    assert inbox.drain(on_events=list)["done"] == 3


def test_an_mcp_store_without_rest_keys_reads_its_rows_orders_with_one_tool_call(enqueued):
    with StoreServer() as mcp_sim:  # MCP needs https: as if behind a TLS-terminating proxy
        config = mcp_sim.config("mcp-legacy")
        store = Store.objects.create(
            name="MCP shop", slug="mcp", base_url=mcp_sim.url, api="mcp-legacy", allow_http=True,
            consumer_key=config.key, consumer_secret=config.secret,
        )  # fmt: skip
        order_ids = orders(mcp_sim, 5)
        rows(store, order_ids)

        assert inbox.drain(on_events=list)["done"] == 5

        assert [tool for tool, _ in mcp_sim.legacy_mcp.tool_calls] == ["woocommerce-orders-list"]
        assert not [path for path in mcp_sim.requests if path.startswith("/wp-json/wc/")]
    assert set(OrderEvent.objects.values_list("order_id", "event_type")) == {(oid, NEW) for oid in order_ids}


def test_a_webhook_is_recorded_answered_and_drained_when_the_cache_host_stops_answering(
    sim, store, enqueued, silent_cache, caplog
):
    Store.objects.filter(pk=store.pk).update(webhook_secret=SECRET)
    store.refresh_from_db()
    (order_id,) = orders(sim, 1)

    response = deliver(Client(HTTP_HOST="127.0.0.1"), store, sim.store.render(sim.store.order(order_id)))

    assert response.status_code == 202
    assert list(WebhookDelivery.objects.values_list("order_id", "status")) == [(order_id, "pending")]
    assert enqueued == [(None, None)]  # no deduplication without the cache, but a drain on its way
    assert "cache unreachable" in caplog.text
