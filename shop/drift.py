"""Find where the stores' schedules drifted from what the stores say, and repair it.

The store is the one place its schedule is edited (interval and enabled flag, on its
admin page); `next_poll_at` and the dispatcher carry it out. What can still drift:

- a beat entry that polls stores by itself (`shop.poll_orders`): one left by a store
  deleted behind the ORM's back or by an older ADOLF, or one made by hand — it would poll
  its store a second time, or poll a store that no longer exists: deleted;
- an enabled store without a due time, or due further ahead than its interval allows
  (edited behind the store's back): due now;
- an enabled store due long ago that nobody enqueued (the dispatcher not running):
  dispatched now.

The dispatcher's own beat entry is kept by beat itself (adolf.beat). Every repair writes
only what differs and is recorded in the admin log; `shop_status` lists the last day's.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from adolf import audit
from shop import schedules
from shop.models import Store

POLL_TASK = "shop.poll_orders"


@dataclass(frozen=True)
class Drift:
    """One repaired drift: what kind, of what (a store's slug or a beat entry's name), and how it was put right."""

    kind: str  # stray entry | no due time | due too far ahead | overdue
    subject: str
    detail: str


def overdue_after() -> timedelta:
    """How long past due a store may be before it counts as never enqueued: a minute, or four dispatcher runs."""
    return timedelta(seconds=max(60, 4 * settings.SHOP_DISPATCH_SECONDS))


def repair(send: Callable[[schedules.DuePoll], None], *, now: datetime | None = None) -> list[Drift]:
    """Repair every drift found now; return what was repaired (also logged and in the admin log)."""
    now = now or timezone.now()
    found = [*_stray_entries(), *_due_times(now)]
    if settings.SHOP_POLLING_ENABLED:
        found += _overdue(send, now)
    for drift in found:
        logging.getLogger(__name__).warning(
            "schedule drift repaired: %s %s: %s", drift.kind, drift.subject, drift.detail
        )
    return found


def _stray_entries() -> list[Drift]:
    found = []
    stores = dict(Store.objects.values_list("pk", "slug"))
    for entry in PeriodicTask.objects.filter(task=POLL_TASK):
        store_id = store_id_of(entry.kwargs)
        if store_id is None:
            detail = "it polled every store; each store's polls come from its own schedule"
        elif store_id in stores:
            detail = f"it polled store {stores[store_id]} a second time; that store's schedule is edited on its page"
        else:
            detail = f"it was left by store id {store_id}, which no longer exists"
        audit.record_repair(entry, "deleted", f"Deleted: {detail}.")
        entry.delete()
        found.append(Drift("stray entry", entry.name, f"deleted: {detail}"))
    return found


def store_id_of(kwargs: str) -> int | None:
    """The store a poll entry's JSON kwargs name, if any."""
    try:
        value = json.loads(kwargs or "{}").get("store_id")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) else None


def _due_times(now: datetime) -> list[Drift]:
    # A dispatched store is due at most one interval after the dispatcher's horizon.
    slack = timedelta(seconds=2 * settings.SHOP_DISPATCH_SECONDS + 1)
    found = []
    for pk, slug, interval, due in Store.objects.filter(enabled=True).values_list(
        "pk", "slug", "poll_interval", "next_poll_at"
    ):
        if due is None:
            kind, detail = "no due time", "it had no next poll time; due now"
        elif due > now + timedelta(seconds=interval) + slack:
            ahead = int((due - now).total_seconds())
            kind, detail = "due too far ahead", f"its next poll was {ahead} s away, beyond its {interval} s interval"
        else:
            continue
        # Conditional: a dispatcher or a save that moved it meanwhile wins.
        if Store.objects.filter(pk=pk, next_poll_at=due).update(next_poll_at=now):
            audit.record_repair(Store.objects.get(pk=pk), "changed", f"Schedule repaired: {detail}.")
            found.append(Drift(kind, slug, detail))
    return found


def _overdue(send: Callable[[schedules.DuePoll], None], now: datetime) -> list[Drift]:
    stale = list(
        Store.objects.filter(enabled=True, next_poll_at__lt=now - overdue_after()).values_list("slug", "next_poll_at")
    )
    if not stale:
        return []
    schedules.dispatch(send, now=now)
    oldest = int((now - min(due for _, due in stale)).total_seconds())
    slugs = ", ".join(sorted(slug for slug, _ in stale)[:10]) + (" …" if len(stale) > 10 else "")
    detail = f"{len(stale)} store(s) due up to {oldest} s ago were never enqueued ({slugs}); dispatched now"
    for store in Store.objects.filter(slug__in=[slug for slug, _ in stale[:10]]):
        audit.record_repair(
            store, "changed", f"Schedule repaired: due {oldest} s ago or less and never enqueued; polled now."
        )
    return [Drift("overdue", f"{len(stale)} store(s)", detail)]
