"""What the shop adds to the operations views: store polling in /health/, /metrics, `shop_status` and /dashboard/.

And, at start-up, the shop's counters at zero for every event type, order status and poll error.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django_celery_beat.models import PeriodicTask
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from adolf import audit, metrics
from adolf.fields import EncryptedTextField
from operations.dashboard import chart, per_hour
from operations.registry import Component, Line, registry
from operations.status import iso
from shop import drift, listing_health, store_clock
from shop.locks import LeaseLost
from shop.models import OrderEvent, PollRun, Store, WebhookDelivery
from shop.rules import EVENT_TYPES
from shop.schedules import DISPATCHER_ENTRY
from shop.woocommerce.errors import (
    AuthenticationError,
    InvalidResponseError,
    NotFoundError,
    RateLimitedError,
    TransientError,
)
from shop.woocommerce.orders import CORE_STATUSES

STREAK_WINDOW = 100  # failed polls counted back at most

# A context of their own: other apps translate the same short words differently.
STATES = {
    "ok": pgettext_lazy("store health", "ok"),
    "failing": pgettext_lazy("store health", "failing"),
    "overdue": pgettext_lazy("store health", "overdue"),
    "disabled": pgettext_lazy("store health", "disabled"),
    "new": pgettext_lazy("store health", "not polled yet"),
}


def stale_after(poll_interval: int) -> timedelta:
    """How long a store may go without a successful poll: the setting, or two intervals if longer."""
    return max(timedelta(minutes=settings.HEALTH_POLL_STALE_MINUTES), timedelta(seconds=2 * poll_interval))


def without_secrets(stores: QuerySet[Store]) -> QuerySet[Store]:
    """The stores without their encrypted fields, which no operations view shows.

    So /health/, `shop_status` and the dashboard still answer when FIELD_ENCRYPTION_KEY
    cannot decrypt them (a key replaced without keeping the old one): that is when an
    operator reads them. Shape: the same queryset, the EncryptedTextFields deferred.
    """
    secrets = [field.name for field in Store._meta.concrete_fields if isinstance(field, EncryptedTextField)]
    return stores.defer(*secrets)


def is_overdue(store: Store, now: datetime) -> bool:
    """Whether an enabled store has gone too long without a successful poll (since it was added, if never)."""
    return store.enabled and now - (store.last_success_at or store.created) > stale_after(store.poll_interval)


# --- /health/ ------------------------------------------------------------------------------
@registry.health_probe("stores")
def check_stores() -> Component:
    """Unhealthy while an enabled store has gone too long without a successful poll."""
    now = timezone.now()
    if not settings.SHOP_POLLING_ENABLED:
        return Component(True, detail={"polling": "off (SHOP_POLLING_ENABLED)", "stores": []})
    stores, overdue = [], []
    for store in without_secrets(Store.objects.filter(enabled=True)).order_by("slug"):
        late = is_overdue(store, now)
        stores.append(
            {
                "store": store.slug,
                "last_success_at": iso(store.last_success_at),
                "failing_since": iso(store.failing_since),
                "overdue": late,
            }
        )
        if late:
            since = store.last_success_at or store.created
            overdue.append(f"{store.slug} (no successful poll for {int((now - since).total_seconds() // 60)} min)")
    if overdue:
        return Component(
            False, "Polling not running: " + ", ".join(overdue), {"stores": stores}, summary="Polling not running"
        )
    return Component(True, detail={"stores": stores})


# --- /metrics --------------------------------------------------------------------------------
class StoreGauges(Collector):
    """The order-event outbox and each enabled store's polling health, read at scrape time."""

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "shop_unpublished_events",
            "Order events recorded but not yet published to staff.",
            value=OrderEvent.objects.filter(published_at__isnull=True).count(),
        )
        last = GaugeMetricFamily(
            "shop_store_last_success_timestamp_seconds",
            "When each store was last polled successfully.",
            labels=["store"],
        )
        failing = GaugeMetricFamily("shop_store_failing", "1 while a store's polls fail.", labels=["store"])
        for slug, last_success, failing_since in Store.objects.filter(enabled=True).values_list(
            "slug", "last_success_at", "failing_since"
        ):
            if last_success is not None:
                last.add_metric([slug], last_success.timestamp())
            failing.add_metric([slug], 1 if failing_since else 0)
        yield last
        yield failing


registry.gauge(StoreGauges())

# The shop's counters at zero from the first scrape, for every known label value.
POLL_ERROR_TYPES = [
    error.__name__
    for error in (AuthenticationError, NotFoundError, InvalidResponseError, TransientError, RateLimitedError, LeaseLost)
]
metrics.start_at_zero(metrics.NOTIFICATIONS_SENT, event_type=EVENT_TYPES)
metrics.start_at_zero(metrics.POLL_ORDERS, status=CORE_STATUSES)
metrics.start_at_zero(metrics.POLL_ERRORS, error_type=POLL_ERROR_TYPES)


# --- shop_status -------------------------------------------------------------------------
def describe_stores(stores: list[dict[str, Any]]) -> Iterator[Line]:
    """Text lines of the stores section: one paragraph per store."""
    if not stores:
        yield "Stores: none", ""
        return
    yield "Stores:", ""
    for store in stores:
        poll = store["last_poll"]
        state = "disabled" if not store["enabled"] else "OVERDUE" if store["overdue"] else "ok"
        if store["failing_since"]:
            state = f"FAILING since {_when(store['failing_since'])}"
        yield (
            f"  {store['store']} ({store['name']}, {store['api']}): {state}",
            ("error" if state.startswith(("OVERDUE", "FAILING")) else "success"),
        )
        if poll:
            error = f" {poll['error_type']}" if poll["error_type"] else ""
            yield (
                (
                    f"    last poll: {_when(poll['started_at'])} {poll['outcome']}{error}, "
                    f"{poll['orders']} orders, {poll['events']} events"
                ),
                "",
            )
        else:
            yield "    last poll: never", ""
        yield f"    last success: {_when(store['last_success_at'])}; cursor: {_when(store['cursor'])}", ""
        yield f"    known orders: {store['known_orders']}; unpublished events: {store['unpublished_events']}", ""
        if store["orders_set_aside"] or store["evidence_waiting"]:
            yield (
                f"    orders set aside: {store['orders_set_aside']}; waiting for evidence: {store['evidence_waiting']}",
                "error" if store["orders_set_aside"] else "",
            )
        if store["clock_went_back"]:
            yield f"    {store['clock_went_back']}", "error"
        if store["last_error"]:
            yield f"    last error: {store['last_error'].splitlines()[0][:200]}", ""
        trouble = [f"{hook['topic']} {hook['status']}" for hook in store["webhooks"] if hook["status"] != "active"]
        if trouble:
            yield f"    webhooks on the store: {', '.join(trouble)}", "error"


def _when(value: str | None) -> str:
    """Return an ISO time of the snapshot in TIME_ZONE with its offset ("2026-11-29 22:40:05+03:00"), or "never".

    The offset says which clock the time is on: the reader may be in another zone than the
    deployment (an on-call engineer, a log in UTC).
    """
    if not value:
        return "never"
    return timezone.localtime(datetime.fromisoformat(value)).isoformat(sep=" ", timespec="seconds")


@registry.status_section("stores", describe=describe_stores)
def stores() -> list[dict[str, Any]]:
    """Describe each store: last poll and its outcome, cursor, known orders, unpublished events, orders set aside
    and orders waiting for evidence."""
    now = timezone.now()
    rows = []
    for store in without_secrets(Store.objects.annotate(known_orders=Count("order_states", distinct=True))).order_by(
        "slug"
    ):
        run = (
            PollRun.objects.filter(store=store).exclude(outcome=PollRun.Outcome.SKIPPED).order_by("-started_at").first()
        )
        rows.append(
            {
                "store": store.slug,
                "name": store.name,
                "enabled": store.enabled,
                "api": store.api,
                "poll_interval": store.poll_interval,
                "last_poll": None
                if run is None
                else {
                    "started_at": iso(run.started_at),
                    "finished_at": iso(run.finished_at),
                    "outcome": run.outcome,
                    "trigger": run.trigger,
                    "orders": run.orders_seen,
                    "events": run.events_created,
                    "error_type": run.error_type,
                },
                "last_success_at": iso(store.last_success_at),
                "overdue": is_overdue(store, now),
                "failing_since": iso(store.failing_since),
                "last_error": store.last_error,
                "cursor": iso(store.cursor),
                "known_orders": store.known_orders,
                "unpublished_events": OrderEvent.objects.filter(store=store, published_at__isnull=True).count(),
                "orders_set_aside": store.orders_set_aside,
                "evidence_waiting": store.evidence_waiting,
                "clock_went_back": listing_health.clock_went_back(store)
                if store_clock.went_back_recently(store, now)
                else "",
                # As last read back from WooCommerce (shop.webhook_status).
                "webhooks": [
                    {"topic": hook["topic"], "status": hook["status"]}
                    for hook in (store.webhook_check or {}).get("webhooks", [])
                ],
            }
        )
    return rows


def describe_schedules(schedules: dict[str, Any]) -> Iterator[Line]:
    """The dispatcher, the stores behind their schedule, and the last day's repairs."""
    entry = schedules["dispatcher"]
    if entry is None:
        yield f"Schedules: the dispatcher's beat entry {DISPATCHER_ENTRY!r} is MISSING (beat restores it)", "error"
    else:
        state = "enabled" if entry["enabled"] else "DISABLED (beat re-enables it)"
        yield (
            f"Schedules: dispatcher {entry['name']!r} every {entry['every']} s, {state}",
            ("success" if entry["enabled"] else "error"),
        )
    overdue = schedules["overdue_stores"]
    if overdue:
        yield f"  stores due over {schedules['overdue_after']} s ago and not enqueued: {', '.join(overdue)}", "error"
    repairs = schedules["repairs"]
    yield f"  repaired in the last 24 h: {len(repairs) or 'nothing'}", ("error" if repairs else "")
    for repair in repairs[:20]:
        yield f"    {_when(repair['at'])} {repair['object']}: {repair['message']}", ""


@registry.status_section("schedules", describe=describe_schedules)
def schedules_status() -> dict[str, Any]:
    """The dispatcher's beat entry, stores overdue for a poll, and the schedule repairs of the last 24 hours."""
    now = timezone.now()
    entry = PeriodicTask.objects.select_related("interval").filter(name=DISPATCHER_ENTRY).first()
    limit = drift.overdue_after()
    overdue = (
        Store.objects.filter(enabled=True, next_poll_at__lt=now - limit)
        .order_by("next_poll_at")
        .values_list("slug", flat=True)
        if settings.SHOP_POLLING_ENABLED
        else []
    )
    return {
        "dispatcher": None
        if entry is None
        else {"name": entry.name, "enabled": entry.enabled, "every": entry.interval.every if entry.interval else None},
        "overdue_after": int(limit.total_seconds()),
        "overdue_stores": list(overdue),
        "repairs": [
            {
                "at": iso(log.action_time),
                "object": f"{log.content_type.name} {log.object_repr}",
                "message": log.get_change_message(),
            }
            for log in audit.repairs_since(now - timedelta(hours=24), Store, PeriodicTask)
        ],
    }


def describe_unpublished(events: dict[str, Any]) -> Iterator[Line]:
    """The outbox in one line."""
    oldest = f" (oldest {_when(events['oldest'])})" if events["count"] else ""
    yield f"Unpublished events: {events['count']}{oldest}", ""


@registry.status_section("unpublished_events", describe=describe_unpublished)
def unpublished_events() -> dict[str, Any]:
    """Count the order events not yet published, and when the oldest was detected."""
    unpublished = OrderEvent.objects.filter(published_at__isnull=True).aggregate(
        n=Count("pk"), oldest=Min("detected_at")
    )
    return {"count": unpublished["n"], "oldest": iso(unpublished["oldest"])}


def describe_webhook_inbox(inbox: dict[str, Any]) -> Iterator[Line]:
    """The webhook inbox in one line: what waits (the broker down?) and what was given up."""
    oldest = f" (oldest {_when(inbox['oldest_waiting'])})" if inbox["waiting"] else ""
    style = "error" if inbox["waiting"] else ""
    yield f"Webhook inbox: {inbox['waiting']} waiting{oldest}; {inbox['given_up_24h']} given up in 24 h", style


@registry.status_section("webhook_inbox", describe=describe_webhook_inbox)
def webhook_inbox() -> dict[str, Any]:
    """Count the webhook deliveries not processed yet and those given up on in the last day."""
    waiting = WebhookDelivery.objects.filter(status__in=["pending", "processing"]).aggregate(
        n=Count("pk"), oldest=Min("received_at")
    )
    given_up = WebhookDelivery.objects.filter(
        status="failed", processed_at__gte=timezone.now() - timedelta(hours=24)
    ).count()
    return {"waiting": waiting["n"], "oldest_waiting": iso(waiting["oldest"]), "given_up_24h": given_up}


# --- /dashboard/ ---------------------------------------------------------------------------
@dataclass
class StoreHealth:
    """A row of the dashboard's store table."""

    store: Store
    state: str  # a key of STATES
    last_outcome: str
    error_streak: int
    events_24h: int
    # How far behind the store's clock what is recorded reaches: now − cursor (None before the first poll).
    poll_lag: timedelta | None = None
    set_aside: int = 0  # orders the store sent that could not be recorded

    @property
    def poll_lag_seconds(self) -> int | None:
        return None if self.poll_lag is None else max(0, int(self.poll_lag.total_seconds()))

    @property
    def state_label(self) -> str:
        return str(STATES[self.state])

    @property
    def last_outcome_label(self) -> str:
        return str(PollRun.Outcome(self.last_outcome).label) if self.last_outcome else ""


def orders_set_aside() -> dict[int, int]:
    """Return how many orders each store (by id) has set aside as unrecordable (shop.set_aside), stores with any."""
    return dict(Store.objects.filter(orders_set_aside__gt=0).values_list("pk", "orders_set_aside"))


def store_health(now: datetime | None = None) -> list[StoreHealth]:
    """Return every store with its state, last outcome, failed polls in a row, recent events, lag, set-aside orders."""
    now = now or timezone.now()
    set_aside = orders_set_aside()
    recent = dict(
        OrderEvent.objects.filter(detected_at__gte=now - timedelta(hours=24))
        .values_list("store")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = []
    for store in without_secrets(Store.objects.order_by("name")):
        outcomes = list(
            PollRun.objects.filter(store=store)
            .exclude(outcome__in=[PollRun.Outcome.SKIPPED, PollRun.Outcome.RUNNING])
            .order_by("-started_at")
            .values_list("outcome", flat=True)[:STREAK_WINDOW]
        )
        streak = next((i for i, outcome in enumerate(outcomes) if outcome != PollRun.Outcome.FAILED), len(outcomes))
        last = outcomes[0] if outcomes else ""
        lag = now - store.cursor if store.cursor else None
        rows.append(
            StoreHealth(
                store, _state(store, now), last, streak, recent.get(store.pk, 0), lag, set_aside.get(store.pk, 0)
            )
        )
    return rows


def _state(store: Store, now: datetime) -> str:
    if not store.enabled:
        return "disabled"
    if store.failing_since is not None:
        return "failing"
    if is_overdue(store, now):
        return "overdue"
    return "ok" if store.last_success_at else "new"


def events_per_hour(hours: int, now: datetime | None = None) -> list[tuple[datetime, int]]:
    """Count order events detected in each of the last `hours` whole hours (UTC), the current one last."""
    return per_hour(OrderEvent.objects.all(), "detected_at", hours, now or timezone.now())


@registry.dashboard_panel("stores", template="shop/dashboard/stores.html")
def stores_panel(now: datetime) -> dict[str, Any]:
    """Each store's health, and the order events per hour over the last 24 hours and 7 days."""
    return {
        "stores": store_health(now),
        "charts": [
            chart(_("Order events per hour, last 24 hours"), events_per_hour(24, now)),
            chart(_("Order events per hour, last 7 days"), events_per_hour(24 * 7, now)),
        ],
    }
