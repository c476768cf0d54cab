"""Is the deployment healthy? Database, broker, workers, and what each app adds; each probe bounded in time."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from adolf import broker
from adolf.redaction import redact
from operations.registry import OK, UNHEALTHY, Component, registry

__all__ = ["OK", "UNHEALTHY", "Component", "report"]


def check_database() -> Component:
    """Check that the database answers `SELECT 1`; the detail names the driver's error when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # whatever the driver raises, the database is unreachable
        return Component(False, f"Database unreachable: {type(exc).__name__}: {exc}", summary="Database unreachable")
    return Component(True)


def check_broker() -> Component:
    """Check that the broker accepts a connection within HEALTH_TIMEOUT_SECONDS."""
    try:
        broker.check(timeout=settings.HEALTH_TIMEOUT_SECONDS)
    except Exception as exc:  # kombu wraps most, but not all, transport errors
        return Component(False, f"Broker unreachable: {exc}", summary="Broker unreachable")
    return Component(True)


def check_workers() -> Component:
    """Check that at least one Celery worker answers a ping (within 1 s at most); the detail names it."""
    try:
        names = broker.workers(timeout=min(1.0, settings.HEALTH_TIMEOUT_SECONDS), limit=1)
    except Exception as exc:  # an unreachable broker: no worker can be asked
        return Component(False, f"No worker can be asked: {exc}", summary="No active workers")
    if not names:
        return Component(False, "No active workers", summary="No active workers")
    return Component(True, detail={"answered": names})


def _bounded(probes: dict[str, Callable[[], Component]], timeout: float) -> dict[str, Component]:
    """Run probes that need no database side by side; one that overruns is unhealthy."""
    pool = ThreadPoolExecutor(max_workers=len(probes), thread_name_prefix="health")
    futures = {name: pool.submit(probe) for name, probe in probes.items()}
    results = {}
    for name, future in futures.items():
        try:
            results[name] = future.result(timeout=timeout)
        except FutureTimeout:
            results[name] = Component(False, f"No answer within {timeout:.0f} s", summary="No answer in time")
    pool.shutdown(wait=False, cancel_futures=True)
    return results


def _checked(check: Callable[[], Component]) -> Component:
    """Run an app's probe; one that raises makes its component unhealthy, never /health/ a 500 page."""
    try:
        return check()
    except Exception as exc:  # a monitoring system reads the JSON; the reason is redacted below
        return Component(False, f"The check failed: {type(exc).__name__}: {exc}", summary="Check failed")


def report(*, detailed: bool = True) -> dict[str, Any]:
    """Check every component; return the JSON-ready report (status, reason, per-component detail).

    Shape: {"status": "healthy"|"unhealthy", "checked_at": ISO time, "reason": "…" (when
    unhealthy), "components": {name: {"status", "reason"?, …detail}}}, components in the
    order database, broker, workers, then each app's probes (operations.registry).
    Without `detailed` (an anonymous caller) each reason is generic and there is no detail:
    error texts may name hosts and, through a parser's complaint, parts of a secret. The
    detailed reasons are redacted all the same (adolf.redaction).
    """
    components = _bounded({"broker": check_broker, "workers": check_workers}, settings.HEALTH_TIMEOUT_SECONDS + 1)
    components["database"] = database = check_database()
    for name, probe in registry.health_probes.items():
        unknown = "Unknown: the database is unreachable"
        components[name] = _checked(probe.check) if database.ok else Component(False, unknown, summary=unknown)
    order = ["database", "broker", "workers", *registry.health_probes]
    for component in components.values():
        component.reason = redact(component.reason)
    if detailed:
        reasons = [components[name].reason for name in order if not components[name].ok]
    else:
        reasons = [components[name].public_reason for name in order if not components[name].ok]
    result: dict[str, Any] = {
        "status": UNHEALTHY if reasons else OK,
        "checked_at": timezone.now().isoformat(),
        "components": {name: components[name].as_dict(detailed=detailed) for name in order},
    }
    if reasons:
        result["reason"] = "; ".join(reasons)
    return result
