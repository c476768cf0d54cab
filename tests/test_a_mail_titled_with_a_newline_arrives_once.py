"""The issue's input end to end: `Payment failed\\nCard declined` published to an e-mail channel arrives once, one line.

A real worker (on a broker of the test's own) publishes it as a microservice would and
sends it to a real SMTP server.
"""

from __future__ import annotations

import pytest

from notifications.models import Delivery
from tests.factories.notifications import email_channel
from tests.support.brokers import private_broker
from tests.support.processes import start_worker, wait_for
from tests.support.smtp import SmtpSink

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_payment_failed_mail_arrives_once_with_a_one_line_subject(tmp_path):
    channel = email_channel("ops@shop.example", language="en")
    env, sender = private_broker(tmp_path / "data")
    with SmtpSink() as smtp:
        worker = start_worker(
            tmp_path, control=sender, EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp.port), DEFAULT_FROM_EMAIL="adolf@shop.example", **env,
        )  # fmt: skip
        try:
            sender.send_task(
                "notifications.publish", queue="default",
                kwargs={
                    "event_type": "shop.order.failed", "title": "Payment failed\nCard declined",
                    "message": "Order #1042", "source_module": "shop", "source_id": "main:1042", "level": "error",
                },
            )  # fmt: skip
            delivery = wait_for(
                lambda: Delivery.objects.filter(channel=channel, status="sent").first(), timeout=60, what="the mail"
            )
        finally:
            worker.stop()
            sender.close()

    [mail] = smtp.messages
    assert mail["Subject"].strip() == "[Error] Payment failed Card declined"
    assert (delivery.attempts, delivery.last_error) == (1, "")
