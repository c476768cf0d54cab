"""The store's clock as polls read it: noticing when it is set back, so no change is lost.

The cursor is the store's own clock (its HTTP `Date`) when a listing began. A clock set back
(an NTP correction, a host moved, a time zone misapplied) would make the next poll ask for
`modified_after` later than the store's new "now": every order changed until the store's
clock caught up would be listed by no poll. So every page's `Date` is read against ours:
`clock_skew` (store − ours, seconds) is kept on the Store with the poll's own writes, and a
skew smaller than the last one by more than the tolerance (`ClockWatch.of`) means the clock
went back by the difference. Polling then reads that much further back (shop.polling) and the store's page,
`check_store` and `shop_status` say so (shop.listing_health).

A clock set forward needs nothing: the cursor simply jumps ahead with it. A store that
sends no `Date` has no clock to read; shop.polling then moves the cursor by the orders'
own modification dates instead (never by ours).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from shop.models import Store

# The measured skew wanders by the `Date` header's one-second resolution plus the time the
# answer took to arrive; a jump smaller than this is that noise.
TOLERANCE = timedelta(seconds=5)
# How long the store's page and check_store keep saying the clock went back.
SHOWN_FOR = timedelta(days=7)


@dataclass
class ClockWatch:
    """The skew of one poll's pages against what the store last showed; `back` is the jump found."""

    skew: float | None  # seconds, store − ours, as last read (None: never read)
    tolerance: timedelta = TOLERANCE  # a smaller jump is not taken for one
    back: timedelta | None = None  # how far the clock went back during this poll (None: it did not)

    @classmethod
    def of(cls, store: Store) -> ClockWatch:
        """Watch a store's clock from its last skew, tolerating TOLERANCE or half the store's overlap.

        A jump back within the overlap loses nothing (each poll re-reads that much anyway), so
        a slow answer is never reported as a clock set back; half of it keeps a margin.
        """
        return cls(skew=store.clock_skew, tolerance=max(TOLERANCE, timedelta(seconds=store.overlap / 2)))

    def read(self, store_time: datetime | None, now: datetime) -> timedelta | None:
        """Read one answer's clock (`store_time`, aware) at our `now`; return how far it went back, if beyond tolerance.

        An answer without a clock changes nothing.
        """
        if store_time is None:
            return None
        skew = (store_time - now).total_seconds()
        previous, self.skew = self.skew, skew
        if previous is None or timedelta(seconds=previous - skew) <= self.tolerance:
            return None
        jump = timedelta(seconds=round(previous - skew))
        self.back = (self.back or timedelta(0)) + jump
        return jump

    def fields(self) -> dict[str, object]:
        """The Store fields to save with the poll's next write: the skew, and the jump if one was found."""
        changed: dict[str, object] = {"clock_skew": self.skew}
        if self.back is not None:
            changed["clock_went_back_at"] = timezone.now()
            changed["clock_went_back_by"] = int(self.back.total_seconds())
        return changed


def went_back_recently(store: Store, now: datetime | None = None) -> bool:
    """Whether the store's clock was seen set back within SHOWN_FOR."""
    at = store.clock_went_back_at
    return at is not None and (now or timezone.now()) - at < SHOWN_FOR
