"""Beat's scheduler: django-celery-beat's DatabaseScheduler, keeping the pinned entries as configured.

Some beat entries are part of how ADOLF works rather than an operator's choice: the poll
dispatcher and the schedule repair (settings.BEAT_PINNED_SCHEDULE). An entry deleted,
disabled or edited in the admin (or behind its back, by SQL) would silently stop every
store's polls, so beat checks them at start and every PIN_CHECK_SECONDS, rewrites only the
fields that differ (every write to beat's table makes beat reload the whole table), and
records each repair in the admin log.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from adolf import audit
from adolf.beat_lock import LeaderLock, lock_url

logger = logging.getLogger(__name__)

PIN_CHECK_SECONDS = 60


@dataclass(frozen=True)
class Repair:
    """A pinned entry put back: its name, what was wrong ("missing" or the fields that differed)."""

    name: str
    problem: str


def desired_fields(spec: dict[str, Any]) -> dict[str, Any]:
    """The PeriodicTask fields a pinned entry's spec ({"task", "every", "queue", "description"}) means."""
    interval, _ = IntervalSchedule.objects.get_or_create(every=spec["every"], period=IntervalSchedule.SECONDS)
    return {
        "task": spec["task"],
        "interval": interval,
        "crontab": None,
        "solar": None,
        "clocked": None,
        "args": "[]",
        "kwargs": "{}",
        "queue": spec.get("queue"),
        "exchange": None,
        "routing_key": None,
        "headers": "{}",
        "priority": None,
        "expires": None,
        "expire_seconds": None,
        "one_off": False,
        "start_time": None,
        "enabled": True,
        "description": spec.get("description", ""),
    }


def _same(name: str, current: Any, wanted: Any) -> bool:
    if name in ("args", "kwargs", "headers"):
        # JSON text: the same value however it is spaced (the admin's form re-spaces it).
        try:
            return json.loads(current or "null") == json.loads(wanted)
        except (TypeError, ValueError):
            return False
    return current == wanted


def keep_pinned(pinned: dict[str, dict[str, Any]] | None = None) -> list[Repair]:
    """Create or correct each pinned entry, writing only what differs; record and return the repairs."""
    pinned = settings.BEAT_PINNED_SCHEDULE if pinned is None else pinned
    repairs = []
    for name, spec in pinned.items():
        with transaction.atomic():
            wanted = desired_fields(spec)
            entry = PeriodicTask.objects.select_for_update().filter(name=name).first()
            if entry is None:
                entry = PeriodicTask.objects.create(name=name, **wanted)
                repairs.append(Repair(name, "missing"))
                audit.record_repair(entry, "added", "Restored: this entry is part of ADOLF and was missing.")
                continue
            differing = [field for field, value in wanted.items() if not _same(field, getattr(entry, field), value)]
            if not differing:
                continue
            for field in differing:
                setattr(entry, field, wanted[field])
            entry.save()
            problem = "disabled" if differing == ["enabled"] else "changed: " + ", ".join(differing)
            repairs.append(Repair(name, problem))
            audit.record_repair(entry, "changed", f"Restored ({problem}): this entry is kept as ADOLF's settings say.")
    for repair in repairs:
        logger.warning("beat: pinned entry %r restored (%s)", repair.name, repair.problem)
    return repairs


class Scheduler(DatabaseScheduler):
    """The DatabaseScheduler, plus the pinned entries checked at start and every PIN_CHECK_SECONDS,
    and ticking only while this beat holds the leader lock (adolf.beat_lock)."""

    _pins_checked = 0.0
    _lock: LeaderLock | None = None

    def setup_schedule(self) -> None:
        """Restore the pinned entries before beat first reads its table (a fresh database has none)."""
        url = lock_url()
        if url:
            self._lock = LeaderLock(url, settings.BEAT_LOCK_SECONDS)
        else:
            logger.info("beat: no Redis for a leader lock (embedded broker): one beat is not enforced")
        self._check_pins()
        super().setup_schedule()

    def schedule_changed(self) -> bool:
        """Return whether beat's table changed since the last read; a change has the pins checked next tick."""
        changed = super().schedule_changed()
        if changed:
            # Someone wrote to beat's table (the admin, a repair): check the pins at once, so
            # an entry deleted in the admin is back within seconds, not a minute.
            self._pins_checked = 0.0
        return changed

    def tick(self, *args: Any, **kwargs: Any) -> float:
        """Run one beat tick, checking the pins first every PIN_CHECK_SECONDS; return the seconds to sleep."""
        if self._lock is not None:
            was_leading = self._lock.leading
            if not self._lock.holds():
                # Standing by: try again well within the leader's TTL.
                return min(self.max_interval, settings.BEAT_LOCK_SECONDS / 3)
            if not was_leading:
                # Taking over: read last runs afresh (the old leader moved them on), and the pins.
                self._initial_read = True
                self._heap = None
                self._pins_checked = 0.0
        if time.monotonic() - self._pins_checked >= PIN_CHECK_SECONDS:
            self._check_pins()
        delay = super().tick(*args, **kwargs)
        if self._lock is not None:
            # Renew well within the lock's TTL, however long the next entry waits.
            delay = min(delay, settings.BEAT_LOCK_SECONDS / 3)
        return delay

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self._lock is not None:
                self._lock.release()

    def _check_pins(self) -> None:
        self._pins_checked = time.monotonic()
        try:
            keep_pinned()
        except DatabaseError as exc:
            # The database is away: the schedule beat holds keeps running; try again later.
            logger.warning("beat: could not check the pinned entries: %s", exc)
