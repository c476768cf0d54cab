"""What notifications add to the operations views: deliveries by status in /metrics and `shop_status`,
and deliveries by channel and outcome on /dashboard/; at start-up, the delivery counters at
zero for every channel kind and outcome."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from adolf import metrics
from notifications.models import Channel, ChannelKind, Delivery, DeliveryStatus, Notification
from notifications.tasks import OUTCOMES as ATTEMPT_OUTCOMES
from operations.dashboard import chart, per_hour
from operations.registry import Line, registry

metrics.start_at_zero(metrics.DELIVERIES, channel_kind=ChannelKind.values, outcome=ATTEMPT_OUTCOMES.values())


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


# --- /dashboard/ ---------------------------------------------------------------------------
# The outcomes a row shows; "sending" is counted with "pending" (still on its way).
OUTCOMES = (
    DeliveryStatus.SENT,
    DeliveryStatus.PENDING,
    DeliveryStatus.FAILED,
    DeliveryStatus.DEAD,
    DeliveryStatus.HELD,
    DeliveryStatus.DROPPED,
)
# Outcomes an operator acts on: each count links to the admin's list of those deliveries.
LINKED = (DeliveryStatus.FAILED, DeliveryStatus.DEAD, DeliveryStatus.HELD, DeliveryStatus.DROPPED)
# Held is a standing state, not an event of the day: a channel disabled for a week holds a
# week of deliveries, so every held delivery is counted, whatever its age.
STANDING = (DeliveryStatus.HELD,)


@dataclass
class ChannelDeliveries:
    """A row of the deliveries table: one channel's deliveries of the last 24 hours by outcome."""

    channel: Channel
    counts: dict[str, int] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)  # failed/dead/held/dropped → the admin's list of them

    @property
    def cells(self) -> list[tuple[str, int, str]]:
        """The row's cells in OUTCOMES order: (outcome, count, link to the admin's list or "")."""
        return [(outcome, self.counts.get(outcome, 0), self.links.get(outcome, "")) for outcome in OUTCOMES]


def deliveries_by_channel(since: datetime) -> list[ChannelDeliveries]:
    """Count each channel's deliveries created since `since` by outcome, and all it holds now, whatever their age.

    Failed, dead, held and dropped counts link to the admin's list of exactly those deliveries.
    Two grouped queries (status is indexed), whatever the number of deliveries.
    """
    counts: dict[int, dict[str, int]] = {}
    recent = Delivery.objects.filter(created__gte=since).exclude(status__in=STANDING)
    standing = Delivery.objects.filter(status__in=STANDING)
    for channel_id, status, n in [
        *recent.values_list("channel", "status").annotate(n=Count("pk")).order_by(),
        *standing.values_list("channel", "status").annotate(n=Count("pk")).order_by(),
    ]:
        outcome = DeliveryStatus.PENDING if status == DeliveryStatus.SENDING else status
        row = counts.setdefault(channel_id, {})
        row[outcome] = row.get(outcome, 0) + n
    rows = []
    changelist = reverse("admin:notifications_delivery_changelist")
    for channel in Channel.objects.order_by("name"):
        row = ChannelDeliveries(channel, counts.get(channel.pk, {}))
        for outcome in LINKED:
            if row.counts.get(outcome):
                query = {"channel__id__exact": channel.pk, "status__exact": outcome}
                if outcome not in STANDING:
                    query["created__gte"] = since.isoformat()
                row.links[outcome] = f"{changelist}?{urlencode(query)}"
        rows.append(row)
    return rows


@registry.dashboard_panel("deliveries", template="notifications/dashboard/deliveries.html")
def deliveries_panel(now: datetime) -> dict[str, Any]:
    """Deliveries by channel and outcome over the last 24 hours (held: all now held), and notifications per hour."""
    short = {DeliveryStatus.HELD: pgettext("delivery status", "Held")}
    return {
        "outcomes": [short.get(outcome, DeliveryStatus(outcome).label) for outcome in OUTCOMES],
        "channels": deliveries_by_channel(now - timedelta(hours=24)),
        "chart": chart(
            _("Notifications per hour, last 24 hours"), per_hour(Notification.objects.all(), "created", 24, now)
        ),
    }
