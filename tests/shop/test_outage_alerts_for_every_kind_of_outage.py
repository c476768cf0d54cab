"""Every kind of store outage alerts once, says what is wrong and how to fix it, and heals with a notice.

Before: only refused keys alerted. A refused TLS certificate, a redirect to another host, the
MCP feature off or a store gone failed every poll in silence, and so did a store unreachable
for hours.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Notification
from shop.alerts import STORE_MISCONFIGURED, STORE_RECOVERED, STORE_UNREACHABLE
from shop.models import OrderEvent, Store
from shop.polling import poll_store
from shop.woocommerce.errors import StoreError
from simulator import StoreServer
from tests.shop.conftest import ago
from tests.support.certificates import issue, make_ca, tls_store

pytestmark = pytest.mark.django_db

SELF_SIGNED = make_ca("Staging CA")


@pytest.fixture(autouse=True)
def in_english(settings):
    """Alerts are written in the site's language; these tests read the English texts."""
    settings.LANGUAGE_CODE = "en"


def alerts() -> list[tuple[str, str]]:
    return list(Notification.objects.order_by("created", "pk").values_list("event_type", "level"))


def alert(event_type: str) -> Notification:
    return Notification.objects.get(event_type=event_type)


def fail(store: Store, times: int = 3) -> None:
    for _ in range(times):
        with pytest.raises(StoreError):
            poll_store(store.pk)


@pytest.fixture
def https_sim():
    """MCP needs https: a simulated store as if behind a TLS-terminating proxy (Basic auth works)."""
    with StoreServer() as running:
        yield running


def test_a_refused_tls_certificate_alerts_once_with_the_problem_and_heals_with_a_notice(tmp_path):
    with tls_store(issue(SELF_SIGNED), tmp_path) as server:
        key = server.store.read_key
        store = Store.objects.create(
            name="Staging", slug="staging", base_url=server.url, consumer_key=key.key, consumer_secret=key.secret
        )
        fail(store)

        assert alerts() == [(STORE_MISCONFIGURED, "error")]
        said = alert(STORE_MISCONFIGURED)
        assert said.title == "Store Staging cannot be polled: its TLS certificate is refused"
        assert "signed by a CA that this server does not know" in said.message
        assert said.data["error_type"] == "CertificateError"

        store.ca_certificate = SELF_SIGNED.cert_pem  # the fix the alert names: trust the store's own CA
        store.save()
        poll_store(store.pk)
        poll_store(store.pk)

    assert alerts() == [(STORE_MISCONFIGURED, "error"), (STORE_RECOVERED, "info")]


def test_a_redirect_to_another_host_alerts_at_once_naming_the_address_to_configure(sim, store):
    sim.store.redirect_to = "https://www.shop.example"
    fail(store)

    assert alerts() == [(STORE_MISCONFIGURED, "error")]
    said = alert(STORE_MISCONFIGURED)
    assert said.title == "Store Simulated shop cannot be polled: its address redirects elsewhere"
    assert "to https://www.shop.example/wp-json/wc/v3/orders; configure that URL instead" in said.message


def test_the_mcp_feature_switched_off_alerts_at_once_with_the_switch_to_turn_on(https_sim):
    config = https_sim.config("mcp-legacy")
    store = Store.objects.create(
        name="MCP shop", slug="mcp", base_url=https_sim.url, api="mcp-legacy", allow_http=True,
        consumer_key=config.key, consumer_secret=config.secret,
    )  # fmt: skip
    https_sim.store.mcp_enabled = False
    fail(store)

    assert alerts() == [(STORE_MISCONFIGURED, "error")]
    said = alert(STORE_MISCONFIGURED)
    assert said.title == "Store MCP shop cannot be polled: its API is not at this address"
    assert "switch on WooCommerce's MCP feature (`mcp_integration`" in said.message
    assert "/wp-json/wc/v3" not in said.message  # the REST hint is not for an MCP store

    https_sim.store.mcp_enabled = True
    poll_store(store.pk)
    assert alerts() == [(STORE_MISCONFIGURED, "error"), (STORE_RECOVERED, "info")]


def test_a_store_without_woocommerce_alerts_at_once_that_its_api_is_not_there(sim, store):
    sim.store.woocommerce_active = False
    fail(store)

    said = alert(STORE_MISCONFIGURED)
    assert said.title == "Store Simulated shop cannot be polled: its API is not at this address"
    assert "HTTP 404 rest_no_route" in said.message
    assert "that WooCommerce is active and that its REST API answers at /wp-json/wc/v3" in said.message


def test_a_store_gone_alerts_at_once(sim, store):
    sim.store.inject("status", status=410, times=3, path="/wp-json/wc/v3/orders")
    fail(store)

    assert alerts() == [(STORE_MISCONFIGURED, "error")]
    said = alert(STORE_MISCONFIGURED)
    assert said.title == "Store Simulated shop cannot be polled: it is gone"
    assert "disable the store if it is closed" in said.message


def test_a_store_failing_briefly_raises_no_alert(sim, store):
    sim.store.inject("status", status=502, times=2, path="/wp-json/wc/v3/orders")
    fail(store, times=2)
    poll_store(store.pk)

    assert alerts() == []


def test_a_store_failing_longer_than_the_setting_alerts_once_then_heals_with_a_notice(sim, store, settings):
    settings.SHOP_OUTAGE_ALERT_MINUTES = 15
    paid = sim.store.create_order(status="processing", at=ago(sim, minutes=1)).id
    sim.store.inject("status", status=502, times=4, path="/wp-json/wc/v3/orders")
    fail(store, times=1)
    assert alerts() == []
    # The store has failed every poll for 16 minutes.
    Store.objects.filter(pk=store.pk).update(failing_since=timezone.now() - timedelta(minutes=16))

    fail(store, times=3)

    assert alerts() == [(STORE_UNREACHABLE, "error")]
    said = alert(STORE_UNREACHABLE)
    assert said.title == "Store Simulated shop has failed every poll for 16 minutes"
    assert "The last error: Simulated shop: GET " in said.message
    assert "the store failed (HTTP 502)" in said.message
    assert "look at its error log" in said.message

    poll_store(store.pk)
    assert alerts() == [(STORE_UNREACHABLE, "error"), (STORE_RECOVERED, "info")]
    assert list(OrderEvent.objects.values_list("order_id", flat=True)) == [paid]  # nothing lost meanwhile


def test_a_store_that_does_not_answer_for_long_says_to_check_it_is_up(sim, store, settings):
    settings.SHOP_OUTAGE_ALERT_MINUTES = 5
    Store.objects.filter(pk=store.pk).update(
        base_url="http://127.0.0.1:9", failing_since=timezone.now() - timedelta(minutes=6)
    )
    fail(store, times=2)

    assert alerts() == [(STORE_UNREACHABLE, "error")]
    assert "check that the store is up and that ADOLF can reach it" in alert(STORE_UNREACHABLE).message


def test_a_rate_limiting_store_for_long_says_to_slow_down(sim, store, settings):
    Store.objects.filter(pk=store.pk).update(failing_since=timezone.now() - timedelta(minutes=20))
    sim.store.inject("rate_limit", retry_after="1", path="/wp-json/wc/v3/orders")
    fail(store, times=1)

    assert "is limiting ADOLF's requests" in alert(STORE_UNREACHABLE).message


def test_the_alert_is_written_in_the_sites_language(sim, store, settings):
    settings.LANGUAGE_CODE = "ru"
    Store.objects.filter(pk=store.pk).update(failing_since=timezone.now() - timedelta(minutes=21))
    sim.store.inject("status", status=503, path="/wp-json/wc/v3/orders")
    fail(store, times=1)

    said = alert(STORE_UNREACHABLE)
    assert said.title == "Магазин Simulated shop не отвечает на опросы уже 21 минуту"
    assert "Последняя ошибка: Simulated shop: GET " in said.message
