"""Benchmark 2: 1,000 events × 3 channels (in-app, webhook, e-mail) through one real worker.

Two runs of the same 2,000 deliveries:
- **burst**: the events published one by one, as fast as this process can, while the
  worker sends; event → sent latency, and deliveries/s end to end (which the publishing
  pace bounds once the worker keeps up);
- **backlog**: the events published in one transaction, so every delivery is waiting when
  the worker sees the first; commit → last sent is what one worker sends per second.

Baseline, same run, same messages: one process posting the webhooks and sending the mails
itself, one after the other — what the deliveries cost without ADOLF around them.
"""

from __future__ import annotations

import smtplib
import time
from email.message import EmailMessage

import httpx

from bench.procstat import cpu_seconds, load_average
from bench.workers import percentile, worker

EVENTS = 1_000


def direct_baseline(webhook_url: str, smtp_port: int, events: int) -> dict:
    started = time.perf_counter()
    with httpx.Client(timeout=10) as http, smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp:
        for n in range(events):
            http.post(webhook_url, json={"event_type": "bench.event", "title": f"Event {n}"}).raise_for_status()
            mail = EmailMessage()
            mail["From"], mail["To"], mail["Subject"] = "adolf@localhost", "staff@example.com", f"Event {n}"
            mail.set_content(f"Event {n}")
            smtp.send_message(mail)
    seconds = time.perf_counter() - started
    return {"deliveries": events * 2, "seconds": seconds}


def publish_events(events: int, offset: int) -> None:
    from notifications.publish import publish

    for n in range(offset, offset + events):
        publish("bench.event", f"Event {n}", "A benchmark event", source_module="bench", source_id=str(n))


def drain(events: int, *, one_transaction: bool, worker_pid: int) -> dict:
    """Publish `events` notifications and wait until all their deliveries are sent; return the timings.

    `worker_cpu`: CPU seconds the worker (main process and pool) spent meanwhile — the
    figure a busy shared machine does not move, unlike the rates.
    """
    from django.db import transaction
    from django.utils import timezone

    from notifications.models import Delivery, DeliveryStatus, Notification
    from tests.support.processes import wait_for

    Notification.objects.all().delete()
    cpu_before, load_before = cpu_seconds(worker_pid), load_average()
    started = time.perf_counter()
    if one_transaction:
        committed: list = []
        with transaction.atomic():
            # Registered first, so it runs first after the commit: before the enqueues.
            transaction.on_commit(lambda: committed.append(timezone.now()))
            publish_events(events, 0)
    else:
        publish_events(events, 0)
    published = time.perf_counter()
    wait_for(
        lambda: Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 2 * events,
        timeout=600, interval=0.2, what="every delivery",
    )  # fmt: skip
    seconds = time.perf_counter() - started
    worker_cpu = cpu_seconds(worker_pid) - cpu_before
    rows = list(Delivery.objects.values_list("sent_at", "notification__created"))
    last_sent = max(sent for sent, _ in rows)
    # In the backlog every row counts from the commit: that is when it could first be sent.
    latencies = [(sent - (committed[0] if one_transaction else created)).total_seconds() for sent, created in rows]
    return {
        "seconds": seconds,
        "publish_seconds": published - started,
        # From the moment the rows were there to be sent to the last one sent (one clock: the host's).
        "sending_seconds": (last_sent - committed[0]).total_seconds() if one_transaction else seconds,
        "p50": percentile(latencies, 0.50),
        "p95": percentile(latencies, 0.95),
        "worker_cpu": worker_cpu,
        "load": max(load_before, load_average()),
    }


def run(events: int = EVENTS) -> dict:
    from notifications.models import Channel, ChannelKind, Notification
    from tests.support.loopback import LoopbackServer
    from tests.support.smtp import SmtpSink

    Notification.objects.all().delete()
    Channel.objects.all().delete()
    with LoopbackServer() as sink, SmtpSink() as smtp:
        baseline = direct_baseline(f"{sink.url}/hook", smtp.port, events)
        Channel.objects.create(
            kind=ChannelKind.WEBHOOK, name="sink", configuration={"url": f"{sink.url}/hook", "secret": "s" * 32}
        )
        Channel.objects.create(
            kind=ChannelKind.EMAIL, name="staff", configuration={"recipients": ["staff@example.com"]}
        )
        smtp_env = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
                    "EMAIL_PORT": str(smtp.port)}  # fmt: skip
        with worker(queues=("default",), **smtp_env) as handle:
            burst = drain(events, one_transaction=False, worker_pid=handle.process.pid)
            backlog = drain(events, one_transaction=True, worker_pid=handle.process.pid)
        smtp_sessions = smtp.connections
    return {
        "events": events,
        "deliveries": 3 * events,  # the in-app one is the notification itself
        "seconds": burst["seconds"],
        "per_second": 2 * events / burst["seconds"],
        "publish_per_second": events / burst["publish_seconds"],
        "p50": burst["p50"],
        "p95": burst["p95"],
        "backlog_per_second": 2 * events / backlog["sending_seconds"],
        "backlog_p95": backlog["p95"],
        "baseline_per_second": baseline["deliveries"] / baseline["seconds"],
        # Worker CPU per delivery sent (ms), in each run; and the busiest load average seen.
        "burst_cpu_ms": burst["worker_cpu"] * 1000 / (2 * events),
        "backlog_cpu_ms": backlog["worker_cpu"] * 1000 / (2 * events),
        "load": max(burst["load"], backlog["load"]),
        # For the 2,000 mails of both runs: one a mail before batches, one a batch and channel now
        # (the baseline's one included).
        "smtp_sessions": smtp_sessions,
    }


def print_table(result: dict) -> None:
    print(f"\nBenchmark 2 — fan-out: {result['events']:,} events × 3 channels through one worker")
    print(
        "burst: sent deliveries/s | publishing, events/s | p50 event→sent | p95 event→sent || "
        "backlog: sent deliveries/s | p95 commit→sent || baseline (direct, one process) | backlog ÷ baseline "
        "| SMTP sessions | worker CPU ms/delivery (burst, backlog) | load average"
    )
    print(
        f"{result['per_second']:,.0f} | {result['publish_per_second']:,.0f} | {result['p50']:.2f} s | "
        f"{result['p95']:.2f} s || {result['backlog_per_second']:,.0f} | {result['backlog_p95']:.2f} s || "
        f"{result['baseline_per_second']:,.0f} | {result['backlog_per_second'] / result['baseline_per_second']:.2f} "
        f"| {result['smtp_sessions']:,} | {result['burst_cpu_ms']:.1f}, {result['backlog_cpu_ms']:.1f} "
        f"| {result['load']:.1f}"
    )
