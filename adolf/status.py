"""The troubleshooting snapshot behind `manage.py shop_status`: stores, queues, workers, outboxes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Min
from django.utils import timezone

from adolf import broker
from adolf.health import stale_after
from notifications.models import Delivery, DeliveryStatus
from shop.models import OrderEvent, PollRun, Store


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def stores() -> list[dict[str, Any]]:
    """Describe each store: last poll and its outcome, cursor, known orders, unpublished events."""
    now = timezone.now()
    rows = []
    for store in Store.objects.annotate(known_orders=Count("order_states", distinct=True)).order_by("slug"):
        run = (
            PollRun.objects.filter(store=store).exclude(outcome=PollRun.Outcome.SKIPPED).order_by("-started_at").first()
        )
        since = store.last_success_at or store.created
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
                    "started_at": _iso(run.started_at),
                    "finished_at": _iso(run.finished_at),
                    "outcome": run.outcome,
                    "trigger": run.trigger,
                    "orders": run.orders_seen,
                    "events": run.events_created,
                    "error_type": run.error_type,
                },
                "last_success_at": _iso(store.last_success_at),
                "overdue": store.enabled and now - since > stale_after(store.poll_interval),
                "failing_since": _iso(store.failing_since),
                "last_error": store.last_error,
                "cursor": _iso(store.cursor),
                "known_orders": store.known_orders,
                "unpublished_events": OrderEvent.objects.filter(store=store, published_at__isnull=True).count(),
            }
        )
    return rows


def snapshot(*, timeout: float) -> dict[str, Any]:
    """Gather everything the seed's troubleshooting steps look at, each broker call bounded by `timeout`."""
    report: dict[str, Any] = {"checked_at": timezone.now().isoformat(), "stores": stores()}
    try:
        report["queues"] = broker.queue_lengths(timeout)
    except Exception as exc:  # the snapshot reports a down broker rather than failing
        report["queues"] = {"error": f"broker unreachable: {exc}"}
    try:
        report["workers"] = broker.workers(timeout)
    except Exception as exc:  # as above
        report["workers"] = {"error": f"no worker can be asked: {exc}"}
    counts = dict(Delivery.objects.values_list("status").annotate(n=Count("pk")).order_by())
    report["deliveries"] = {status: counts.get(status, 0) for status in DeliveryStatus.values}
    unpublished = OrderEvent.objects.filter(published_at__isnull=True).aggregate(
        n=Count("pk"), oldest=Min("detected_at")
    )
    report["unpublished_events"] = {"count": unpublished["n"], "oldest": _iso(unpublished["oldest"])}
    return report
