"""Is the deployment healthy? Database, broker, workers and store polling, each probe bounded in time."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from adolf import broker

OK, UNHEALTHY = "healthy", "unhealthy"


@dataclass
class Component:
    ok: bool
    reason: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        report: dict[str, Any] = {"status": OK if self.ok else UNHEALTHY, **self.detail}
        if self.reason:
            report["reason"] = self.reason
        return report


def check_database() -> Component:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # whatever the driver raises, the database is unreachable
        return Component(False, f"Database unreachable: {type(exc).__name__}: {exc}")
    return Component(True)


def check_broker() -> Component:
    try:
        broker.check(timeout=settings.HEALTH_TIMEOUT_SECONDS)
    except Exception as exc:  # kombu wraps most, but not all, transport errors
        return Component(False, f"Broker unreachable: {exc}")
    return Component(True)


def check_workers() -> Component:
    try:
        names = broker.workers(timeout=min(1.0, settings.HEALTH_TIMEOUT_SECONDS), limit=1)
    except Exception as exc:  # an unreachable broker: no worker can be asked
        return Component(False, f"No worker can be asked: {exc}")
    if not names:
        return Component(False, "No active workers")
    return Component(True, detail={"answered": names})


def stale_after(poll_interval: int) -> timedelta:
    """How long a store may go without a successful poll: the setting, or two intervals if longer."""
    return max(timedelta(minutes=settings.HEALTH_POLL_STALE_MINUTES), timedelta(seconds=2 * poll_interval))


def check_stores(now: datetime | None = None) -> Component:
    from shop.models import Store

    now = now or timezone.now()
    if not settings.SHOP_POLLING_ENABLED:
        return Component(True, detail={"polling": "off (SHOP_POLLING_ENABLED)", "stores": []})
    stores, overdue = [], []
    for store in Store.objects.filter(enabled=True).order_by("slug"):
        since = store.last_success_at or store.created
        late = now - since > stale_after(store.poll_interval)
        stores.append(
            {
                "store": store.slug,
                "last_success_at": store.last_success_at.isoformat() if store.last_success_at else None,
                "failing_since": store.failing_since.isoformat() if store.failing_since else None,
                "overdue": late,
            }
        )
        if late:
            overdue.append(f"{store.slug} (no successful poll for {int((now - since).total_seconds() // 60)} min)")
    if overdue:
        return Component(False, "Polling not running: " + ", ".join(overdue), {"stores": stores})
    return Component(True, detail={"stores": stores})


def _bounded(probes: dict[str, Callable[[], Component]], timeout: float) -> dict[str, Component]:
    """Run probes that need no database side by side; one that overruns is unhealthy."""
    pool = ThreadPoolExecutor(max_workers=len(probes), thread_name_prefix="health")
    futures = {name: pool.submit(probe) for name, probe in probes.items()}
    results = {}
    for name, future in futures.items():
        try:
            results[name] = future.result(timeout=timeout)
        except FutureTimeout:
            results[name] = Component(False, f"No answer within {timeout:.0f} s")
    pool.shutdown(wait=False, cancel_futures=True)
    return results


def report() -> dict[str, Any]:
    """Check every component; return the JSON-ready report (status, reason, per-component detail)."""
    components = _bounded({"broker": check_broker, "workers": check_workers}, settings.HEALTH_TIMEOUT_SECONDS + 1)
    components["database"] = database = check_database()
    components["stores"] = check_stores() if database.ok else Component(False, "Unknown: the database is unreachable")
    order = ("database", "broker", "workers", "stores")
    reasons = [components[name].reason for name in order if not components[name].ok]
    result: dict[str, Any] = {
        "status": UNHEALTHY if reasons else OK,
        "checked_at": timezone.now().isoformat(),
        "components": {name: components[name].as_dict() for name in order},
    }
    if reasons:
        result["reason"] = "; ".join(reasons)
    return result
