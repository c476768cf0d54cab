"""Chaos: thousands of order transitions through failing stores, lossy webhooks, killed workers
and a restarted broker; every transition yields one event, every notification one delivery.

`make test` runs the short mode; `make chaos` (CHAOS_MODE=long) the long one.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from datetime import timedelta

import pytest
import redis
from django.test import override_settings
from django.utils import timezone
from kombu.exceptions import OperationalError

from notifications.dispatch import sweep
from notifications.models import Delivery, DeliveryStatus, Notification
from shop import inbox, rules
from shop.models import OrderEvent, OrderState, PollRun, Store, WebhookDelivery
from shop.polling import poll_store
from shop.publishing import publish_events, unpublished_event_ids
from shop.tasks import poll_orders
from shop.webhook_registration import register
from simulator import SimulatedStore, StoreServer
from tests.chaos.orders import Walker
from tests.factories.notifications import webhook_channel
from tests.support.broker import use_broker
from tests.support.loopback import LoopbackServer, Received, Reply
from tests.support.processes import start_worker, wait_for
from tests.support.redis_server import RedisServer

pytestmark = [pytest.mark.chaos, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LONG = os.environ.get("CHAOS_MODE", "short") == "long"
TRANSITIONS = 3000 if LONG else 300
IN_FLIGHT = 60 if LONG else 30
KILLS = 8 if LONG else 3
POLL_EVERY = 0.3
# What talking to the broker raises while it restarts.
BROKER_DOWN = (OperationalError, redis.RedisError, OSError)
# Faults the store serves, at this fraction of the run: (kind, options).
STORE_FAULTS = [
    (0.05, "status", {"status": 500, "times": 2}),
    (0.15, "rate_limit", {"retry_after": "1"}),
    (0.25, "slow", {"delay": 3.0}),  # longer than SHOP_STORE_TIMEOUT: a timeout
    (0.35, "unauthorized", {"times": 3}),  # an authentication outage
    (0.45, "status", {"status": 503, "times": 3, "retry_after": "1"}),
    (0.65, "drop", {"times": 2}),
    (0.75, "status", {"status": 502, "times": 2}),
    (0.85, "truncate", {"times": 1}),
]
REDIS_RESTART_AT = 0.55
WORKER_ENV = {
    "SHOP_POLL_LEASE_SECONDS": "3",
    "SHOP_STORE_TIMEOUT": "2",
    "CELERY_TASK_SOFT_TIME_LIMIT": "50",
    "CELERY_TASK_TIME_LIMIT": "60",
    "CELERY_VISIBILITY_TIMEOUT": "90",
    # What a 90 s visibility timeout leaves after the 60 s time limit (adolf.checks).
    "TASK_RETRY_MAX_COUNTDOWN_SECONDS": "20",
}


class Sink:
    """The staff's webhook endpoint: answers 503 now and then, records every Idempotency-Key."""

    def __init__(self) -> None:
        self.count = 0
        self.refused = 0

    def __call__(self, request: Received) -> Reply:
        self.count += 1
        if self.count % 23 == 0:
            self.refused += 1
            return Reply(503)
        return Reply(200, b"ok")


class Supervisor:
    """Keep one worker running, as the deployment's `restart: unless-stopped` does.

    Celery 5.7's worker can exit on a broker connection loss ("Unrecoverable error:
    AttributeError ... 'hostname'" while restoring unacknowledged messages); what matters
    here is that nothing is lost or repeated when that happens.
    """

    def __init__(self, folder, broker_url: str, figures: Counter) -> None:
        self.folder, self.broker_url, self.figures = folder, broker_url, figures
        self.worker = self._start()

    def _start(self):
        return start_worker(self.folder, concurrency=2, CELERY_BROKER_URL=self.broker_url, **WORKER_ENV)

    def running(self):
        if self.worker.process.poll() is not None:
            self.figures["worker exits restarted by the supervisor"] += 1
            self.worker = self._start()
        return self.worker

    def stop(self) -> None:
        self.worker.stop()


def send_poll(store: Store, broker_url: str) -> bool:
    """Queue a poll as beat would, unless the queue is already backed up (beat polls far less often)."""
    try:
        with redis.Redis.from_url(broker_url, socket_timeout=1) as broker:
            if broker.llen("default") > 50:
                return False
        poll_orders.delay(store_id=store.pk, trigger="chaos")
    except BROKER_DOWN:
        return False  # the broker is down; beat would try again, so do we
    return True


def kill_a_running_poll(app, worker) -> bool:
    """SIGKILL the pool process running a poll right now; return whether one was killed."""
    if not PollRun.objects.filter(outcome=PollRun.Outcome.RUNNING).exists():
        return False
    try:
        active = app.control.inspect(destination=[worker.name], timeout=1, limit=1).active() or {}
    except BROKER_DOWN:
        return False
    for task in active.get(worker.name, []):
        if task["name"] == "shop.poll_orders" and task.get("worker_pid"):
            os.kill(task["worker_pid"], signal.SIGKILL)
            return True
    return False


def caught_up(sim: SimulatedStore, store: Store) -> bool:
    seen = {
        oid: (status, refunded)
        for oid, status, refunded in OrderState.objects.filter(store=store).values_list(
            "order_id", "status", "refunded_total"
        )
    }
    with sim.lock:
        wanted = {oid: (o.status, o.refunded) for oid, o in sim.orders.items() if o.status != "checkout-draft"}
    return all(seen.get(oid) == state for oid, state in wanted.items())


@pytest.mark.timeout(1800 if LONG else 300)
def test_under_chaos_every_transition_has_one_event_and_every_notification_one_delivery(tmp_path, live_server, capsys):
    started = time.monotonic()
    figures: Counter = Counter()
    sink = Sink()
    (tmp_path / "redis").mkdir()
    hub_options = {"loss_rate": 0.15, "late_rate": 0.2, "late_seconds": 3.0, "duplicate_rate": 0.1, "seed": 11}
    with (
        RedisServer(tmp_path / "redis") as broker,
        use_broker(broker.url) as app,
        LoopbackServer(handler=sink) as staff,
        StoreServer(SimulatedStore(https=False), **hub_options) as sim,
    ):
        key = sim.store.rw_key
        store = Store.objects.create(
            name="Chaos shop", slug="chaos", base_url=sim.url, allow_http=True, consumer_key=key.key,
            consumer_secret=key.secret, overlap=5, event_types=list(rules.EVENT_TYPES),
        )  # fmt: skip
        webhook_channel(f"{staff.url}/adolf")
        poll_store(store.pk)  # the first poll sets the cursor: what follows is news
        with override_settings(PUBLIC_BASE_URL=live_server.url):
            register(store)
        walker = Walker(sim.store, store, in_flight=IN_FLIGHT)
        workers = Supervisor(tmp_path, broker.url, figures)
        try:
            faults = list(STORE_FAULTS)
            kills_due = [(n + 1) / (KILLS + 1) for n in range(KILLS)]
            restarted = False
            last_poll = 0.0
            while walker.transitions < TRANSITIONS:
                walker.tick(TRANSITIONS)
                progress = walker.transitions / TRANSITIONS
                while faults and faults[0][0] <= progress:
                    _, kind, options = faults.pop(0)
                    sim.store.inject(kind, path="/wp-json/wc/v3/orders", **options)
                    figures[f"store fault: {kind}"] += options.get("times", 1)
                worker = workers.running()
                if kills_due and kills_due[0] <= progress and kill_a_running_poll(app, worker):
                    kills_due.pop(0)
                    figures["workers SIGKILLed mid-poll"] += 1
                if not restarted and progress >= REDIS_RESTART_AT:
                    broker.restart()
                    restarted = True
                    figures["broker restarts"] += 1
                if time.monotonic() - last_poll > POLL_EVERY:
                    last_poll = time.monotonic()
                    figures["polls sent"] += send_poll(store, broker.url)
                time.sleep(0.02)
                if time.monotonic() - started > (1500 if LONG else 240):
                    pytest.fail(f"the walk stalled at {walker.transitions} transitions: {dict(figures)}")

            # A kill needs a poll running at that moment; on a busy machine the walk may end
            # first. Slow the store's listing (within SHOP_STORE_TIMEOUT) so polls stay running
            # long enough, and make the kills still due, for a bounded time.
            finish_kills_by = time.monotonic() + 90
            while kills_due and time.monotonic() < finish_kills_by:
                if not sim.store.faults:
                    sim.store.inject("slow", path="/wp-json/wc/v3/orders", delay=1.0)
                if time.monotonic() - last_poll > POLL_EVERY:
                    last_poll = time.monotonic()
                    figures["polls sent"] += send_poll(store, broker.url)
                if kill_a_running_poll(app, workers.running()):
                    kills_due.pop(0)
                    figures["workers SIGKILLed mid-poll"] += 1
                time.sleep(0.02)
            figures["seconds walking"] = round(time.monotonic() - started)
            # Quiet: no more faults or webhook trouble; the system must now converge by itself.
            sim.store.faults.clear()
            sim.hub.loss_rate = sim.hub.late_rate = sim.hub.duplicate_rate = 0.0
            sim.hub.wait_idle(30)
            wait_for(
                lambda: (send_poll(store, broker.url) or True) and caught_up(sim.store, store),
                timeout=120, interval=1, what="ADOLF to catch up with the store",
            )  # fmt: skip
            settle_outboxes(app, workers)
        finally:
            workers.stop()
        hub = sim.hub
        figures["webhook deliveries lost"] = sum(1 for d in hub.deliveries if d.lost)
        figures["webhook deliveries sent"] = sum(1 for d in hub.deliveries if not d.lost)
        figures["webhook deliveries late"] = hub.late
        figures["webhook deliveries doubled"] = hub.duplicated
        figures["staff endpoint 503s"] = sink.refused
        figures["webhook deliveries received"] = WebhookDelivery.objects.count()
        figures["webhook deliveries given up (the store refused the re-fetch)"] = WebhookDelivery.objects.filter(
            status="failed"
        ).count()
        received = Counter(r.headers.get("Idempotency-Key") for r in staff.received if r.method == "POST")

    events = Counter(OrderEvent.objects.filter(store=store).values_list("order_id", "event_type"))
    missing = walker.expected - events
    extra = events - walker.expected
    notifications = list(Notification.objects.values_list("pk", flat=True))
    deliveries = list(Delivery.objects.values_list("notification_id", "status", "key"))
    per_notification = Counter(notification for notification, _, _ in deliveries)
    accepted_keys = {str(key) for _, _, key in deliveries}
    report = {
        "orders placed": walker.placed,
        "transitions": walker.transitions,
        "events": sum(events.values()),
        "events found by webhook": OrderEvent.objects.filter(source="webhook").count(),
        "events found by polling": OrderEvent.objects.filter(source="poll").count(),
        "losses (transitions without an event)": sum(missing.values()),
        "duplicates (extra events)": sum(extra.values()),
        "notifications": len(notifications),
        "deliveries": len(deliveries),
        "redelivered with the same Idempotency-Key": sum(received.values()) - len(received),
        "seconds": round(time.monotonic() - started),
        **figures,
    }
    with capsys.disabled():
        print(f"\nchaos ({'long' if LONG else 'short'} mode):")
        for name, value in report.items():
            print(f"  {name}: {value}")

    assert not missing, f"transitions without their event: {dict(missing)}"
    assert not extra, f"events repeated or unexpected: {dict(extra)}"
    assert walker.transitions == TRANSITIONS
    assert not OrderEvent.objects.filter(published_at__isnull=True).exists()
    assert per_notification == dict.fromkeys(notifications, 1), "a notification without exactly one delivery"
    assert {status for _, status, _ in deliveries} == {DeliveryStatus.SENT}
    # Each delivery reached the staff endpoint, under its own key, and nothing else did.
    assert set(received) == accepted_keys
    assert figures["workers SIGKILLed mid-poll"] == KILLS
    assert figures["broker restarts"] == 1
    # Every webhook delivery received was processed (committed work happens), broker restart or not.
    assert not WebhookDelivery.objects.filter(status__in=["pending", "processing"]).exists()


def settle_outboxes(app, workers: Supervisor) -> None:
    """Let the worker drain, then run the sweepers as beat would, until every outbox is empty.

    They run here with a clock an hour ahead, so their grace periods (minutes in
    production) are not waited out by the test.
    """

    def idle() -> bool:
        worker = workers.running()
        inspect = app.control.inspect(destination=[worker.name], timeout=1, limit=1)
        try:
            replies = [inspect.active(), inspect.reserved()]
        except BROKER_DOWN:
            return False
        return all(not (reply or {}).get(worker.name) for reply in replies)

    state: dict = {}

    def drained() -> bool:
        state["idle"] = idle()
        state["deliveries"] = Counter(Delivery.objects.values_list("status", flat=True))
        state["unpublished"] = OrderEvent.objects.filter(published_at__isnull=True).count()
        state["last errors"] = list(
            Delivery.objects.exclude(status=DeliveryStatus.SENT).values_list("last_error", flat=True)[:3]
        )
        if not state["idle"]:
            # Rows due now and carried by no task (their enqueue failed while the broker was
            # down): sent again now; a claim keeps a row with a task on the way from going twice.
            sweep(now=timezone.now() + timedelta(seconds=61))
            return False
        later = timezone.now() + timedelta(hours=1)
        for batch in unpublished_event_ids(now=later):
            publish_events(batch)
        sweep(now=later)
        # Webhook deliveries received while the broker was down wait in the inbox for its sweeper
        # (an hour on, its pause after a failed publish is over too).
        inbox._broker_down_until = 0.0
        inbox.sweep(now=later)
        state["webhooks waiting"] = WebhookDelivery.objects.filter(status__in=["pending", "processing"]).count()
        # The sweeps ran an hour ahead and set what they released due then; the hour has "passed".
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__gt=timezone.now()).update(
            next_attempt_at=timezone.now()
        )
        WebhookDelivery.objects.filter(status="pending", next_attempt_at__gt=timezone.now()).update(
            next_attempt_at=timezone.now()
        )
        unpublished = OrderEvent.objects.filter(published_at__isnull=True).exists()
        unsent = Delivery.objects.exclude(status=DeliveryStatus.SENT).exists()
        return not unpublished and not unsent and not state["webhooks waiting"]

    try:
        wait_for(
            drained, timeout=600 if LONG else 120, interval=1, what="every event published and every delivery sent"
        )
    except TimeoutError as exc:
        raise TimeoutError(f"{exc}; last seen: {state}") from None
