"""Benchmark 2: 1,000 events × 3 channels (in-app, webhook, e-mail) through one real worker.

Baseline, same run, same messages: one process posting the webhooks and sending the mails
itself, one after the other — what the deliveries cost without ADOLF around them.
"""

from __future__ import annotations

import smtplib
import time
from email.message import EmailMessage

import httpx

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


def run(events: int = EVENTS) -> dict:
    from notifications.models import Channel, ChannelKind, Delivery, DeliveryStatus, Notification
    from notifications.publish import publish
    from tests.support.loopback import LoopbackServer
    from tests.support.processes import wait_for
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
        with worker(queues=("default",), **smtp_env):
            started = time.perf_counter()
            for n in range(events):
                publish("bench.event", f"Event {n}", "A benchmark event", source_module="bench", source_id=str(n))
            wait_for(
                lambda: Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 2 * events,
                timeout=600, interval=0.5, what="every delivery",
            )  # fmt: skip
            seconds = time.perf_counter() - started
        latencies = [
            (sent - created).total_seconds()
            for sent, created in Delivery.objects.values_list("sent_at", "notification__created")
        ]
    return {
        "events": events,
        "deliveries": 3 * events,  # the in-app one is the notification itself
        "seconds": seconds,
        "per_second": 2 * events / seconds,
        "p50": percentile(latencies, 0.50),
        "p95": percentile(latencies, 0.95),
        "baseline_per_second": baseline["deliveries"] / baseline["seconds"],
    }


def print_table(result: dict) -> None:
    print(f"\nBenchmark 2 — fan-out: {result['events']:,} events × 3 channels through one worker")
    print("sent deliveries/s | baseline (direct, one process) | ratio | p50 event→sent | p95 event→sent")
    print(
        f"{result['per_second']:,.0f} | {result['baseline_per_second']:,.0f} | "
        f"{result['per_second'] / result['baseline_per_second']:.2f} | {result['p50']:.2f} s | {result['p95']:.2f} s"
    )
