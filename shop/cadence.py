"""When a store's next poll is due: the rules, as plain functions of times and intervals.

A store carries its own schedule: `poll_interval`, `enabled` and `next_poll_at`. The
dispatcher (shop.schedules) enqueues a poll when `next_poll_at` comes and moves it one
interval on; a save of the store moves it when the schedule the operator edited asks for
an earlier poll.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypedDict


class Schedule(TypedDict):
    """What a store's schedule was before a save: its row's enabled, poll_interval and next_poll_at."""

    enabled: bool
    poll_interval: int
    next_poll_at: datetime | None


def following(due: datetime, interval: int, now: datetime) -> datetime:
    """The due time after `due`: one interval on, or one interval from now if that is already past.

    A store that fell behind (beat stopped, polling switched off) is polled once now, not
    once for every interval it missed.
    """
    step = timedelta(seconds=interval)
    return due + step if due + step > now else now + step


def after_save(previous: Schedule | None, *, enabled: bool, interval: int, now: datetime) -> datetime | None:
    """The next_poll_at a save implies, or None to leave it as it is.

    A new store, a store switched on, or one that has no due time is polled at once; a
    shorter interval brings the next poll forward to at most one new interval away; other
    saves leave the due time alone, so editing a name never delays or repeats a poll.
    """
    if not enabled:
        return None
    if previous is None or not previous["enabled"] or previous["next_poll_at"] is None:
        return now
    if interval != previous["poll_interval"]:
        return min(previous["next_poll_at"], now + timedelta(seconds=interval))
    return None
