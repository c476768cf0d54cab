"""The status dashboard's building blocks: panels from every app, and bar charts drawn as SVG."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncHour

from operations.registry import registry


@dataclass
class Bar:
    """One bar: the start of its period, its count, and where it stands in the SVG."""

    start: datetime
    count: int
    x: float
    y: float
    height: float


@dataclass
class Chart:
    """A bar chart laid out for the SVG of operations/chart.html."""

    title: str
    bars: list[Bar]
    total: int
    peak: int
    width: float
    height: float
    bar_width: float


def chart(title: str, series: list[tuple[datetime, int]], *, width: float = 720, height: float = 120) -> Chart:
    """Lay a series of (period start, count) out as SVG bars scaled to its peak."""
    peak = max((count for _, count in series), default=0)
    step = width / max(len(series), 1)
    bars = []
    for i, (start, count) in enumerate(series):
        bar_height = round(height * count / peak, 2) if peak else 0
        bars.append(Bar(start, count, round(i * step, 2), round(height - bar_height, 2), bar_height))
    return Chart(title, bars, sum(c for _, c in series), peak, width, height, round(max(step - 1, 1), 2))


def per_hour(rows: QuerySet, field: str, hours: int, now: datetime) -> list[tuple[datetime, int]]:
    """Count the rows whose datetime `field` falls in each of the last `hours` whole hours (UTC), the current last."""
    current = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    first = current - timedelta(hours=hours - 1)
    counts = {
        hour.astimezone(UTC): n
        for hour, n in rows.filter(**{f"{field}__gte": first})
        .annotate(hour=TruncHour(field, tzinfo=UTC))
        .values_list("hour")
        .annotate(n=Count("pk"))
        .order_by()
    }
    return [(first + timedelta(hours=i), counts.get(first + timedelta(hours=i), 0)) for i in range(hours)]


def panels(now: datetime) -> list[dict[str, Any]]:
    """Return every registered panel as {"name", "template", "context"}, in registration order."""
    return [
        {"name": panel.name, "template": panel.template, "context": panel.context(now)}
        for panel in registry.dashboard_panels.values()
    ]
