"""Webhook: a signed JSON POST with an idempotency key, a timeout, no redirects, typed failures."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.test import override_settings

from notifications.dispatch import deliver
from notifications.transports.webhook.transport import sign
from tests.factories.notifications import WEBHOOK_SECRET, DeliveryFactory, NotificationFactory, webhook_channel
from tests.support.certificates import issue, tls_store
from tests.support.deliveries import make_due, reload
from tests.support.loopback import LoopbackServer, Reply

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def test_it_posts_the_notification_as_json_signed_with_hmac_sha256():
    with LoopbackServer(Reply(204)) as server:
        notification = NotificationFactory(title="Новый заказ", data={"store": "main", "total": "2490.00"})
        delivery = DeliveryFactory(notification=notification, channel=webhook_channel(f"{server.url}/hooks/adolf"))
        assert deliver(delivery.pk) == "sent"

    [request] = server.received
    assert (request.method, request.path) == ("POST", "/hooks/adolf")
    body = request.json()
    assert body["event_type"] == "shop.order.new"
    assert body["title"] == "Новый заказ"
    assert body["data"] == {"store": "main", "total": "2490.00"}
    assert body["source_id"] == notification.source_id
    timestamp = request.headers["X-Adolf-Timestamp"]
    expected = hmac.new(WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Adolf-Signature"] == f"sha256={expected}"
    assert request.headers["Idempotency-Key"] == str(delivery.key)
    assert request.headers["X-Adolf-Event"] == "shop.order.new"
    delivery = reload(delivery)
    assert (delivery.status, delivery.response_code, delivery.attempts) == ("sent", 204, 1)
    assert delivery.sent_at is not None


def test_the_signature_covers_the_timestamp_so_a_replayed_body_with_a_new_time_fails():
    body = json.dumps({"a": 1}).encode()
    assert sign("s" * 16, "1700000000", body) != sign("s" * 16, "1700000001", body)


def test_a_server_error_is_retried_with_the_same_idempotency_key_then_succeeds():
    with LoopbackServer(Reply(200)) as server:
        server.then(Reply(503))
        delivery = DeliveryFactory(channel=webhook_channel(server.url))
        assert deliver(delivery.pk) == "pending"
        delivery = reload(delivery)
        assert (delivery.attempts, delivery.last_error, delivery.response_code) == (1, "Webhook answered HTTP 503", 503)
        assert delivery.channel.enabled
        assert deliver(delivery.pk) is None  # not due yet: the backoff holds it
        make_due(delivery)
        assert deliver(delivery.pk) == "sent"

    assert [r.headers["Idempotency-Key"] for r in server.received] == [str(delivery.key)] * 2
    assert reload(delivery).attempts == 2


def test_a_slow_receiver_times_out_and_the_delivery_waits_for_a_retry():
    with LoopbackServer(Reply(200, delay=2)) as server:
        channel = webhook_channel(server.url)
        channel.configuration = {**channel.configuration, "timeout": 0.3}
        channel.save()
        delivery = DeliveryFactory(channel=channel)
        assert deliver(delivery.pk) == "pending"
    assert reload(delivery).last_error == "Webhook: no answer (ReadTimeout)"


def test_a_redirect_is_not_followed_and_disables_the_channel_whose_url_moved():
    with LoopbackServer(Reply(302, headers={"Location": "http://127.0.0.1:1/elsewhere"})) as server:
        delivery = DeliveryFactory(channel=webhook_channel(server.url))
        assert deliver(delivery.pk) == "held"
    assert len(server.received) == 1
    delivery = reload(delivery)
    assert delivery.channel.enabled is False
    assert delivery.channel.disabled_reason == "Webhook answered HTTP 302"


def test_it_disables_the_channel_on_410_and_names_no_url_in_the_reason():
    with LoopbackServer(Reply(410)) as server:
        delivery = DeliveryFactory(channel=webhook_channel(f"{server.url}/hooks/T000/B000/secret-token"))
        assert deliver(delivery.pk) == "held"
    delivery = reload(delivery)
    assert delivery.status == "held"
    assert delivery.channel.disabled_reason == delivery.last_error == "Webhook answered HTTP 410"
    assert "secret-token" not in delivery.channel.last_error


def test_a_refused_certificate_disables_the_channel_naming_the_problem_not_the_url(tmp_path):
    with tls_store(issue(None), tmp_path) as endpoint:
        delivery = DeliveryFactory(channel=webhook_channel(f"{endpoint.url}/hooks/secret-token"))
        assert deliver(delivery.pk) == "held"  # kept for the channel until its certificate is fixed
    delivery = reload(delivery)
    assert delivery.channel.enabled is False
    assert (
        delivery.channel.disabled_reason
        == delivery.last_error
        == (
            "Webhook: TLS: the certificate of 127.0.0.1 is self-signed, so nothing vouches for it — give that "
            "certificate to SSL_CERT_FILE (or the OS trust store), or give the server a certificate from a public CA"
        )
    )


@override_settings(NOTIFICATION_MAX_ATTEMPTS=3)
def test_a_delivery_is_dead_after_the_configured_attempts():
    with LoopbackServer(Reply(500)) as server:
        delivery = DeliveryFactory(channel=webhook_channel(server.url))
        statuses = []
        for _ in range(3):
            statuses.append(deliver(delivery.pk))
            make_due(delivery)
        assert deliver(delivery.pk) is None
    assert statuses == ["pending", "pending", "dead"]
    assert len(server.received) == 3
    delivery = reload(delivery)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("dead", 3, "Webhook answered HTTP 500")
    assert delivery.channel.enabled  # dead is about this delivery; the channel may work again
