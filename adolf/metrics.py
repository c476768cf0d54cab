"""The deployment's Prometheus metrics, recorded where things happen and served by each instance.

Every process writes its values to mmap files in its instance's directory
(adolf.multiproc): a worker's pool children beside their worker, gunicorn's workers beside
their master. Each instance serves its own — the web on /metrics (operations.exposition),
workers and beat on METRICS_LISTEN (adolf.metrics_server). No label carries an order, a
customer or anything else unbounded.
"""

from __future__ import annotations

import itertools
from collections import Counter as Tally
from collections.abc import Iterable

from prometheus_client import Counter, Gauge, Histogram, multiprocess, values

from adolf import multiproc

multiproc.configure()
# Set explicitly rather than left to prometheus_client's import-time check: Celery's CLI
# imports Flower's plugin, and with it prometheus_client, before our app (and the
# environment it sets) is loaded.
values.ValueClass = values.MultiProcessValue(multiproc.process_identifier)

POLL_DURATION = Histogram(
    "shop_poll_duration_seconds",
    "Time one poll of one WooCommerce store took, failed polls included.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
)
POLL_LAG = Histogram(
    "shop_poll_lag_seconds",
    "How late scheduled polls started: from the time the store was due to the poll's start.",
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900),
)
POLL_ORDERS = Counter("shop_poll_orders_count", "Orders read by polls, by their status.", ["status"])
POLL_ERRORS = Counter("shop_poll_errors_total", "Polls that failed, by error type.", ["error_type"])
NOTIFICATIONS_SENT = Counter(
    "shop_notifications_sent", "Order events published to staff as notifications.", ["event_type"]
)
DELIVERIES = Counter(
    "adolf_deliveries_total",
    "Delivery attempts by channel kind and outcome (sent, retry, failed, dead).",
    ["channel_kind", "outcome"],
)
TASK_SUBMISSIONS = Counter(
    "adolf_task_submissions_total",
    "Tasks microservices submitted over the API, by service and outcome (queued, duplicate, refused).",
    ["service", "outcome"],
)
TASKS_FINISHED = Counter("adolf_tasks_finished_total", "Celery tasks finished, by task and state.", ["task", "state"])
# livesum: a prefork child that dies stops counting once it is marked dead.
TASKS_RUNNING = Gauge("adolf_tasks_running", "Celery tasks running now.", ["task"], multiprocess_mode="livesum")


def start_at_zero(metric: Counter | Gauge, **known: Iterable[str]) -> None:
    """Export every combination of a family's known label values at zero, from the first scrape.

    A labelled family appears only once a child exists; without these, `rate()` alerts
    have nothing to start from until the first event. Called by each app at start-up in
    every process; `known` names each label of the metric, e.g. channel_kind=[...].
    """
    names = metric._labelnames  # prometheus_client keeps them here; there is no public getter
    for combination in itertools.product(*(list(known[name]) for name in names)):
        metric.labels(*combination)


def poll_orders_seen(statuses: Iterable[str]) -> None:
    """Count the orders of one page by status: one increment per status, not per order."""
    for status, count in Tally(statuses).items():
        POLL_ORDERS.labels(status=status or "unknown").inc(count)


def poll_failed(error_type: str) -> None:
    """Count one failed poll, by its error type (adolf_poll_errors_total)."""
    POLL_ERRORS.labels(error_type=error_type).inc()


def notification_sent(event_type: str) -> None:
    """Count one notification published, by its event type (adolf_notifications_sent_total)."""
    NOTIFICATIONS_SENT.labels(event_type=event_type).inc()


def delivery_attempted(channel_kind: str, outcome: str) -> None:
    """Count one delivery attempt, by channel kind and outcome (adolf_deliveries_total)."""
    DELIVERIES.labels(channel_kind=channel_kind, outcome=outcome).inc()


def task_submitted(service: str, outcome: str) -> None:
    """Count one task submission from a service, by service and outcome (adolf_task_submissions_total)."""
    TASK_SUBMISSIONS.labels(service=service, outcome=outcome).inc()


def process_died(pid: int) -> None:
    """Drop a dead process's live gauges (its counters stay: they are history)."""
    multiprocess.mark_process_dead(multiproc.process_identifier(pid))


def sweep_dead_processes() -> list[int]:
    """Mark dead every process of this instance that left live gauges behind; return their pids.

    A child killed outright (SIGKILL, the OOM killer) never runs its shutdown signal, so
    each new pool child and each scrape look for such leftovers of their own host.
    """
    prefix = multiproc.host_prefix()
    dead = set()
    for path in multiproc.directory().glob("gauge_live*.db"):
        identifier = path.name[:-3].split("_", 2)[-1]
        pid = identifier.removeprefix(prefix)
        if identifier.startswith(prefix) and pid.isdigit() and not multiproc.alive(int(pid)):
            dead.add(int(pid))
    for pid in dead:
        process_died(pid)
    return sorted(dead)
