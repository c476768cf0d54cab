"""Dispatch the polls that are due: one beat entry for every store, not one per store.

django-celery-beat's DatabaseScheduler keeps every entry in beat's memory, re-reads the
whole table whenever any row changes and writes each entry's last run back one by one; at a
thousand stores its reloads and syncs hold beat up long enough to make polls late
(docs/performance.md, benchmark 6). So each store carries its own due time
(`Store.next_poll_at`), and one pinned beat entry runs `shop.dispatch_polls` every
SHOP_DISPATCH_SECONDS: it claims the stores due within the next two runs and enqueues one
poll each, with a countdown to its due time.

A claim moves `next_poll_at` on in the same statement that selects the rows
(`FOR UPDATE SKIP LOCKED`), so two dispatchers running at once (a redelivered task, a
dispatcher that queued behind another) never enqueue one due time twice. The polls are
published inside the claim's transaction: a broker that refuses them rolls the claim back
and the next run tries again. A poll that waits past its store's next due time expires
unrun, so a backed-up queue never piles up polls of one store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from shop import cadence
from shop.models import Store

# The pinned beat entry that runs the dispatcher (settings.BEAT_PINNED_SCHEDULE).
DISPATCHER_ENTRY = "shop: dispatch due polls"
# At most this many stores are claimed by one run; a run that claims as many runs again at
# once (ten thousand stores every minute are ~1,700 per 10 s).
BATCH = 2_000


@dataclass(frozen=True)
class DuePoll:
    """A poll to enqueue: the store, when it is due, and when it stops being worth running."""

    store_id: int
    due: datetime
    expires: datetime


def horizon(now: datetime) -> datetime:
    """How far ahead a run claims: two runs, so a run that starts a little late leaves no gap."""
    return now + timedelta(seconds=2 * settings.SHOP_DISPATCH_SECONDS)


def dispatch(send: Callable[[DuePoll], None], *, now: datetime | None = None, limit: int = BATCH) -> list[DuePoll]:
    """Claim the enabled stores due before the horizon, call `send` for each, and return them.

    `send` publishes the poll (raising if the broker refuses it: the claim then rolls
    back). A store without a due time is due now.
    """
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            Store.objects.select_for_update(skip_locked=True)
            .filter(Q(next_poll_at__lte=horizon(now)) | Q(next_poll_at__isnull=True), enabled=True)
            .order_by(F("next_poll_at").asc(nulls_first=True))
            .values_list("pk", "next_poll_at", "poll_interval")[:limit]
        )
        polls, moved = [], []
        for pk, due, interval in rows:
            due = due or now
            following = cadence.following(due, interval, now)
            polls.append(DuePoll(pk, due, expires=following))
            moved.append(Store(pk=pk, next_poll_at=following))
        Store.objects.bulk_update(moved, ["next_poll_at"])
        for poll in polls:
            send(poll)
    return polls
