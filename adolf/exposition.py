"""GET /metrics: every process's recorded values merged, and gauges read from the database and broker."""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from adolf import broker, metrics

logger = logging.getLogger(__name__)


class StateCollector(Collector):
    """Gauges of what is, not what happened: queue lengths, outboxes, store health."""

    def collect(self) -> Iterator[Metric]:
        yield from self._broker()
        yield from self._outboxes()
        yield from self._stores()

    def _broker(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("adolf_broker_up", "1 when the broker answered this scrape.")
        queues = GaugeMetricFamily("adolf_queue_length", "Messages waiting on each queue.", labels=["queue"])
        try:
            lengths = broker.queue_lengths(timeout=settings.HEALTH_TIMEOUT_SECONDS)
        except Exception as exc:  # any failure of the broker is the broker being down, for a gauge
            logger.warning("metrics: the broker did not answer: %s", exc)
            up.add_metric([], 0)
        else:
            up.add_metric([], 1)
            for queue, length in lengths.items():
                queues.add_metric([queue], length)
        yield up
        yield queues

    def _outboxes(self) -> Iterator[Metric]:
        from notifications.models import Delivery, DeliveryStatus
        from shop.models import OrderEvent

        deliveries = GaugeMetricFamily("adolf_deliveries", "Deliveries now in each status.", labels=["status"])
        counts = dict(Delivery.objects.values_list("status").annotate(n=Count("pk")).order_by())
        for status in DeliveryStatus.values:
            deliveries.add_metric([status], counts.get(status, 0))
        yield deliveries
        yield GaugeMetricFamily(
            "shop_unpublished_events",
            "Order events recorded but not yet published to staff.",
            value=OrderEvent.objects.filter(published_at__isnull=True).count(),
        )

    def _stores(self) -> Iterator[Metric]:
        from shop.models import Store

        last = GaugeMetricFamily(
            "shop_store_last_success_timestamp_seconds",
            "When each store was last polled successfully.",
            labels=["store"],
        )
        failing = GaugeMetricFamily("shop_store_failing", "1 while a store's polls fail.", labels=["store"])
        for slug, last_success, failing_since in Store.objects.filter(enabled=True).values_list(
            "slug", "last_success_at", "failing_since"
        ):
            if last_success is not None:
                last.add_metric([slug], last_success.timestamp())
            failing.add_metric([slug], 1 if failing_since else 0)
        yield last
        yield failing


def refusal(request: HttpRequest) -> int | None:
    """Return 403 for a scraper outside the allowed networks, 401 without the token, None if allowed."""
    try:
        client = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return 403
    if not any(client in network for network in settings.METRICS_ALLOWED_NETWORKS):
        return 403
    if not settings.METRICS_TOKEN:
        return None
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), settings.METRICS_TOKEN.encode()):
        return None
    return 401


def render() -> bytes:
    """Return the exposition text of every process's metrics and the scrape-time gauges."""
    metrics.sweep_dead_processes()
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=settings.PROMETHEUS_MULTIPROC_DIR)
    registry.register(StateCollector())
    return generate_latest(registry)


@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Serve /metrics in the Prometheus text format to allowed scrapers."""
    status = refusal(request)
    if status == 403:
        return HttpResponse("Forbidden: this network may not scrape (METRICS_ALLOWED_NETWORKS).\n", status=403)
    if status == 401:
        response = HttpResponse("Send 'Authorization: Bearer <METRICS_TOKEN>'.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(render(), content_type=CONTENT_TYPE_LATEST)
