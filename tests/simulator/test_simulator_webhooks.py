"""The simulator registers webhooks through the REST client and delivers them like WooCommerce."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import parse_qs

import httpx
import pytest

from shop.woocommerce import InvalidResponseError, NotFoundError, build_client
from simulator import StoreServer
from tests.support.loopback import LoopbackServer, Reply
from tests.support.processes import wait_for

SECRET = "whsec-for-tests"


def register(server, sink, topic="order.updated"):
    with build_client(server.config()) as client:
        return client.create_webhook(topic=topic, delivery_url=f"{sink.url}/hook", secret=SECRET)


def signature_of(body: bytes) -> str:
    return base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()


def test_creating_a_webhook_pings_the_url_with_a_form_body_and_no_wc_headers(server):
    with LoopbackServer() as sink:
        created = register(server, sink)
    (ping,) = sink.received
    assert parse_qs(ping.body.decode()) == {"webhook_id": [str(created["id"])]}
    assert ping.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert not [name for name in ping.headers if name.lower().startswith("x-wc-webhook")]
    assert created["topic"] == "order.updated"
    assert created["status"] == "active"
    assert created["secret"] == SECRET
    with build_client(server.config()) as client:
        listed = client.decode(client.request("GET", "/wp-json/wc/v3/webhooks"), list)
    assert [hook["id"] for hook in listed] == [created["id"]]
    assert "secret" not in listed[0]


def test_a_ping_not_answered_with_200_fails_the_creation(server):
    with LoopbackServer(Reply(204)) as sink, pytest.raises(InvalidResponseError, match="response code: 204"):
        register(server, sink)
    assert server.hub.webhooks == {}


def test_a_lenient_store_creates_the_webhook_whatever_the_ping_got_as_woocommerces_rest_api_does():
    with StoreServer(strict_ping=False) as server, LoopbackServer(Reply(500)) as sink:
        created = register(server, sink)
    assert server.hub.webhooks[created["id"]].status == "active"


def test_a_webhook_without_a_valid_topic_is_refused_with_woocommerces_code(server):
    with build_client(server.config()) as client, pytest.raises(InvalidResponseError) as caught:
        client.create_webhook(topic="order.exploded", delivery_url="http://127.0.0.1:9/", secret=SECRET)
    assert caught.value.code == "woocommerce_rest_webhook_invalid_topic"


def test_deliveries_are_signed_over_the_raw_body_and_carry_the_wc_headers(server):
    with LoopbackServer() as sink:
        created = register(server, sink)
        order = server.store.create_order(status="pending")
        server.store.set_status(order.id, "processing")
        delivery = wait_for(lambda: sink.received[1:], timeout=10, what="a delivery")[0]
    assert delivery.headers["X-WC-Webhook-Signature"] == signature_of(delivery.body)
    assert delivery.headers["X-WC-Webhook-Topic"] == "order.updated"
    assert delivery.headers["X-WC-Webhook-Resource"] == "order"
    assert delivery.headers["X-WC-Webhook-Event"] == "updated"
    assert delivery.headers["X-WC-Webhook-ID"] == str(created["id"])
    assert delivery.headers["X-WC-Webhook-Source"] == f"{server.url}/"
    assert len(delivery.headers["X-WC-Webhook-Delivery-ID"]) == 32
    assert delivery.json()["id"] == order.id
    assert delivery.json()["status"] == "processing"


def test_a_trashed_order_is_delivered_as_just_its_id(server):
    order = server.store.create_order()
    with LoopbackServer() as sink:
        register(server, sink, topic="order.deleted")
        server.store.trash(order.id)
        delivery = wait_for(lambda: sink.received[1:], timeout=10, what="a delivery")[0]
    assert delivery.json() == {"id": order.id}


def test_changes_within_the_coalescing_window_arrive_once_with_the_latest_state():
    with StoreServer(coalesce_seconds=0.3) as server, LoopbackServer() as sink:
        register(server, sink)
        order = server.store.create_order(status="pending")
        for status in ("on-hold", "processing", "completed"):
            server.store.set_status(order.id, status)
        assert server.hub.wait_idle()
    deliveries = sink.received[1:]
    assert [delivery.json()["status"] for delivery in deliveries] == ["completed"]


def test_lost_deliveries_never_arrive_and_are_recorded_as_lost(server):
    with LoopbackServer() as sink:
        register(server, sink)
        server.hub.drop_next = 2
        orders = [server.store.create_order() for _ in range(3)]
        for order in orders:
            server.store.set_status(order.id, "processing")
        assert server.hub.wait_idle()
    assert [delivery.json()["id"] for delivery in sink.received[1:]] == [orders[2].id]
    assert [record.lost for record in server.hub.deliveries] == [True, True, False]


def test_seven_failed_deliveries_in_a_row_disable_the_webhook(server):
    with LoopbackServer() as sink:
        created = register(server, sink)
        sink.default = Reply(500)
        order = server.store.create_order()
        for n in range(8):
            server.store.set_status(order.id, "processing" if n % 2 else "on-hold")
            assert server.hub.wait_idle()
    assert server.hub.webhooks[created["id"]].status == "disabled"
    assert len(sink.received) == 1 + 7
    with build_client(server.config()) as client:
        reactivated = client.request("PUT", f"/wp-json/wc/v3/webhooks/{created['id']}", json_body={"status": "active"})
    assert reactivated.json()["status"] == "active"
    assert server.hub.webhooks[created["id"]].failures == 0


def test_a_webhook_is_deleted_and_then_unknown(server):
    with LoopbackServer() as sink:
        created = register(server, sink)
    with build_client(server.config()) as client:
        client.delete_webhook(created["id"])
        with pytest.raises(NotFoundError, match="woocommerce_rest_webhook_invalid_id"):
            client.delete_webhook(created["id"])


def test_the_control_api_disables_a_webhook_and_switches_it_to_legacy_bodies(server):
    with LoopbackServer() as sink:
        created = register(server, sink)
        legacy = httpx.post(f"{server.url}/_simulator/webhooks/{created['id']}", json={"api_version": "legacy_v3"})
        order = server.store.create_order(status="pending")
        server.store.set_status(order.id, "processing")
        delivery = wait_for(lambda: sink.received[1:], timeout=10, what="a delivery")[0]
        disabled = httpx.post(f"{server.url}/_simulator/webhooks/{created['id']}", json={"status": "disabled"})
        server.store.set_status(order.id, "completed")
        assert server.hub.wait_idle()

    assert legacy.json()["api_version"] == "legacy_v3"
    assert delivery.json()["order"]["id"] == order.id
    assert disabled.json()["status"] == "disabled"
    assert len(sink.received) == 2  # the ping and the one delivery before the disabling
    with build_client(server.config()) as client:
        [listed] = client.list_webhooks()
    assert (listed["id"], listed["status"]) == (created["id"], "disabled")
