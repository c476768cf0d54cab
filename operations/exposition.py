"""GET /metrics: this web instance's recorded values, and gauges read from the broker and each app.

Workers and beat serve their own values on METRICS_LISTEN (adolf.metrics_server); the
deployment-wide gauges (queues, stores, outboxes) are read here, at scrape time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from adolf import broker, metrics, metrics_server, multiproc
from operations.registry import registry

logger = logging.getLogger(__name__)


class BrokerGauges(Collector):
    """Whether the broker answers, and the messages waiting on each queue, read at scrape time."""

    def collect(self) -> Iterator[Metric]:
        """Yield adolf_broker_up and each queue's length, read from the broker at scrape time."""
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


def refusal(request: HttpRequest) -> int | None:
    """Return 403 for a scraper outside the allowed networks, 401 without the token, None if allowed."""
    return metrics_server.refusal(request.META.get("REMOTE_ADDR", ""), request.headers.get("Authorization", ""))


def render() -> bytes:
    """Return the exposition text of this web instance's processes and the scrape-time gauges."""
    metrics.sweep_dead_processes()
    scrape = CollectorRegistry()
    MultiProcessCollector(scrape, path=str(multiproc.directory()))
    scrape.register(BrokerGauges())
    for collector in registry.gauges.values():
        scrape.register(collector)
    return generate_latest(scrape)


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
