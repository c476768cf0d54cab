"""What notifications add to the operations views: deliveries by status in /metrics and `shop_status`.

And, at start-up, the delivery counters at zero for every channel kind and outcome.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from adolf import metrics
from notifications.models import ChannelKind, Delivery, DeliveryStatus
from notifications.tasks import OUTCOMES
from operations.registry import Line, registry

metrics.start_at_zero(metrics.DELIVERIES, channel_kind=ChannelKind.values, outcome=OUTCOMES.values())


def delivery_counts() -> dict[str, int]:
    """Return how many deliveries are in each status, every status present."""
    counts = dict(Delivery.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return {status: counts.get(status, 0) for status in DeliveryStatus.values}


class DeliveryGauges(Collector):
    """Deliveries now in each status, read at scrape time."""

    def collect(self) -> Iterator[Metric]:
        deliveries = GaugeMetricFamily("adolf_deliveries", "Deliveries now in each status.", labels=["status"])
        for status, count in delivery_counts().items():
            deliveries.add_metric([status], count)
        yield deliveries


registry.gauge(DeliveryGauges())


def describe_deliveries(counts: dict[str, int]) -> Iterator[Line]:
    """Deliveries by status in one line."""
    yield "Deliveries: " + ", ".join(f"{name}={count}" for name, count in counts.items()), ""


registry.status_section("deliveries", describe=describe_deliveries)(delivery_counts)
