"""What the status dashboard shows: each store's health and the hourly flow of order events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Count
from django.db.models.functions import TruncHour
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from adolf.health import stale_after
from shop.models import OrderEvent, PollRun, Store

STREAK_WINDOW = 100  # failed polls counted back at most


# A context of their own: other apps translate the same short words differently.
STATES = {
    "ok": pgettext_lazy("store health", "ok"),
    "failing": pgettext_lazy("store health", "failing"),
    "overdue": pgettext_lazy("store health", "overdue"),
    "disabled": pgettext_lazy("store health", "disabled"),
    "new": pgettext_lazy("store health", "not polled yet"),
}


@dataclass
class StoreHealth:
    store: Store
    state: str  # a key of STATES
    last_outcome: str
    error_streak: int
    events_24h: int

    @property
    def state_label(self) -> str:
        return str(STATES[self.state])

    @property
    def last_outcome_label(self) -> str:
        return str(PollRun.Outcome(self.last_outcome).label) if self.last_outcome else ""


@dataclass
class Bar:
    start: datetime
    count: int
    x: float
    y: float
    height: float


@dataclass
class Chart:
    title: str
    bars: list[Bar]
    total: int
    peak: int
    width: float
    height: float
    bar_width: float


def store_health(now: datetime | None = None) -> list[StoreHealth]:
    """Return every store with its state, last outcome, failed polls in a row and recent events."""
    now = now or timezone.now()
    recent = dict(
        OrderEvent.objects.filter(detected_at__gte=now - timedelta(hours=24))
        .values_list("store")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = []
    for store in Store.objects.order_by("name"):
        outcomes = list(
            PollRun.objects.filter(store=store)
            .exclude(outcome__in=[PollRun.Outcome.SKIPPED, PollRun.Outcome.RUNNING])
            .order_by("-started_at")
            .values_list("outcome", flat=True)[:STREAK_WINDOW]
        )
        streak = next((i for i, outcome in enumerate(outcomes) if outcome != PollRun.Outcome.FAILED), len(outcomes))
        last = outcomes[0] if outcomes else ""
        rows.append(StoreHealth(store, _state(store, now), last, streak, recent.get(store.pk, 0)))
    return rows


def _state(store: Store, now: datetime) -> str:
    if not store.enabled:
        return "disabled"
    if store.failing_since is not None:
        return "failing"
    if now - (store.last_success_at or store.created) > stale_after(store.poll_interval):
        return "overdue"
    return "ok" if store.last_success_at else "new"


def events_per_hour(hours: int, now: datetime | None = None) -> list[tuple[datetime, int]]:
    """Count order events detected in each of the last `hours` whole hours (UTC), the current one last."""
    now = now or timezone.now()
    current = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    first = current - timedelta(hours=hours - 1)
    counts = {
        hour.astimezone(UTC): n
        for hour, n in OrderEvent.objects.filter(detected_at__gte=first)
        .annotate(hour=TruncHour("detected_at", tzinfo=UTC))
        .values_list("hour")
        .annotate(n=Count("pk"))
        .order_by()
    }
    return [(first + timedelta(hours=i), counts.get(first + timedelta(hours=i), 0)) for i in range(hours)]


def chart(title: str, series: list[tuple[datetime, int]], *, width: float = 720, height: float = 120) -> Chart:
    """Lay a series out as SVG bars scaled to its peak."""
    peak = max((count for _, count in series), default=0)
    step = width / max(len(series), 1)
    bars = []
    for i, (start, count) in enumerate(series):
        bar_height = round(height * count / peak, 2) if peak else 0
        bars.append(Bar(start, count, round(i * step, 2), round(height - bar_height, 2), bar_height))
    return Chart(title, bars, sum(c for _, c in series), peak, width, height, round(max(step - 1, 1), 2))
