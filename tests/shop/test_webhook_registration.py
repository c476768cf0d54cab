"""Registering a store's webhooks from the admin: all four topics, a fresh secret, health shown."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from shop.models import OrderEvent, Store
from tests.support.processes import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def operator(client, db):
    user = get_user_model().objects.create_superuser("operator", password="a-long-password-1")
    client.force_login(user)
    return client


@pytest.fixture
def rw_store(sim, db) -> Store:
    key = sim.store.rw_key
    return Store.objects.create(
        name="Shop", slug="shop", base_url=sim.url, allow_http=True, consumer_key=key.key, consumer_secret=key.secret
    )


def act(operator, action: str, store: Store) -> str:
    response = operator.post("/admin/shop/store/", {"action": action, "_selected_action": [store.pk]}, follow=True)
    return " ".join(str(message) for message in response.context["messages"])


def test_register_creates_the_four_order_webhooks_that_deliver_signed_events(
    sim, rw_store, operator, live_server, celery_worker
):
    with override_settings(PUBLIC_BASE_URL=live_server.url):
        message = act(operator, "register_webhooks", rw_store)

    assert "order.created, order.updated, order.deleted, order.restored" in message
    rw_store.refresh_from_db()
    assert set(rw_store.webhook_ids) == {"order.created", "order.updated", "order.deleted", "order.restored"}
    assert {hook.topic for hook in sim.hub.webhooks.values()} == set(rw_store.webhook_ids)
    assert {hook.delivery_url for hook in sim.hub.webhooks.values()} == {
        f"{live_server.url}/shop/webhooks/{rw_store.webhook_token}/"
    }
    assert {hook.secret for hook in sim.hub.webhooks.values()} == {rw_store.webhook_secret}

    order = sim.store.create_order(status="pending")
    sim.store.set_status(order.id, "processing")
    assert sim.hub.wait_idle()
    assert {delivery.status for delivery in sim.hub.deliveries} == {202}
    wait_for(lambda: OrderEvent.objects.filter(order_id=order.id).exists(), timeout=30, what="the event")
    assert Counter(OrderEvent.objects.values_list("event_type", "source")) == {("shop.order.new", "webhook"): 1}

    page = operator.get(f"/admin/shop/store/{rw_store.pk}/change/").content.decode()
    assert rw_store.webhook_secret not in page
    assert "signature failures" in page or "подписи" in page


def test_registering_again_replaces_the_webhooks_and_the_secret(sim, rw_store, operator, live_server):
    with override_settings(PUBLIC_BASE_URL=live_server.url):
        act(operator, "register_webhooks", rw_store)
        rw_store.refresh_from_db()
        first_secret, first_ids = rw_store.webhook_secret, set(rw_store.webhook_ids.values())
        act(operator, "register_webhooks", rw_store)

    rw_store.refresh_from_db()
    assert rw_store.webhook_secret != first_secret
    assert set(sim.hub.webhooks) == set(rw_store.webhook_ids.values())
    assert not first_ids & set(sim.hub.webhooks)


def test_unregister_removes_them_from_the_store(sim, rw_store, operator, live_server):
    with override_settings(PUBLIC_BASE_URL=live_server.url):
        act(operator, "register_webhooks", rw_store)

    message = act(operator, "unregister_webhooks", rw_store)

    assert "4" in message
    assert sim.hub.webhooks == {}
    rw_store.refresh_from_db()
    assert rw_store.webhook_ids == {}


def test_a_read_only_key_gets_a_clear_error_and_nothing_is_left_half_registered(sim, store, operator, live_server):
    with override_settings(PUBLIC_BASE_URL=live_server.url):
        message = act(operator, "register_webhooks", store)

    assert "read/write key" in message
    assert sim.hub.webhooks == {}
    store.refresh_from_db()
    assert store.webhook_ids == {}


def test_without_public_base_url_registration_explains_what_to_set(sim, rw_store, operator):
    with override_settings(PUBLIC_BASE_URL=""):
        message = act(operator, "register_webhooks", rw_store)

    assert "PUBLIC_BASE_URL" in message
    assert sim.hub.webhooks == {}


def test_a_failure_half_way_removes_the_webhooks_already_created(sim, rw_store, operator, live_server):
    # Faults are served in order: two creations pass, the third is refused.
    sim.store.inject("slow", delay=0, times=2, path="/wp-json/wc/v3/webhooks")
    sim.store.inject("status", status=400, path="/wp-json/wc/v3/webhooks")
    with override_settings(PUBLIC_BASE_URL=live_server.url):
        message = act(operator, "register_webhooks", rw_store)

    assert "400" in message
    assert sim.hub.webhooks == {}
    rw_store.refresh_from_db()
    assert rw_store.webhook_ids == {}


def test_a_legacy_v3_webhooks_deliveries_are_read_and_recorded(sim, rw_store, operator, live_server, celery_worker):
    with override_settings(PUBLIC_BASE_URL=live_server.url):
        act(operator, "register_webhooks", rw_store)
    rw_store.refresh_from_db()
    # A webhook kept from before WooCommerce 3.0 sends {"order": {...}}.
    httpx.post(
        f"{sim.url}/_simulator/webhooks/{rw_store.webhook_ids['order.created']}", json={"api_version": "legacy_v3"}
    )

    order = sim.store.create_order(status="processing")
    assert sim.hub.wait_idle()

    assert [delivery.status for delivery in sim.hub.deliveries] == [202]
    wait_for(lambda: OrderEvent.objects.filter(order_id=order.id).exists(), timeout=30, what="the event")
    assert Counter(OrderEvent.objects.values_list("event_type", "source")) == {("shop.order.new", "webhook"): 1}


def adapter_store(sim, **rest_keys) -> Store:
    user, password = next(iter(sim.store.app_passwords.items()))
    return Store.objects.create(
        name="Adapter shop", slug="adapter", base_url=sim.url, allow_http=True, api=Store.Api.MCP_ADAPTER,
        consumer_key=user, consumer_secret=password, **rest_keys,
    )  # fmt: skip


def test_an_mcp_adapter_store_registers_its_webhooks_with_its_rest_keys(sim, operator, live_server):
    key = sim.store.rw_key
    store = adapter_store(sim, rest_consumer_key=key.key, rest_consumer_secret=key.secret)
    with override_settings(PUBLIC_BASE_URL=live_server.url):
        message = act(operator, "register_webhooks", store)

    assert "order.created, order.updated, order.deleted, order.restored" in message
    assert {hook.topic for hook in sim.hub.webhooks.values()} == {
        "order.created", "order.updated", "order.deleted", "order.restored",
    }  # fmt: skip


def test_an_mcp_adapter_store_without_rest_keys_is_told_to_add_them_and_nothing_changes(sim, operator):
    store = adapter_store(sim)
    with override_settings(PUBLIC_BASE_URL="https://adolf.example"):
        message = act(operator, "register_webhooks", store)

    assert "give this MCP adapter store its REST keys (Read/Write)" in message
    store.refresh_from_db()
    assert (store.webhook_secret, store.webhook_ids, sim.hub.webhooks) == ("", {}, {})
