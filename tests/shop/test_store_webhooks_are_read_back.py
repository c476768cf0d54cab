"""The store's webhooks are read back from WooCommerce: shown on the store page, one alert when one is disabled,
re-activated from the admin."""

from __future__ import annotations

from io import StringIO

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings

from notifications.models import Notification
from shop import webhook_registration, webhook_status
from shop.models import Store
from shop.tasks import check_webhooks

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def operator(client, db):
    client.force_login(get_user_model().objects.create_superuser("operator", password="a-long-password-1"))
    return client


@pytest.fixture
def registered(sim, live_server, db) -> Store:
    key = sim.store.rw_key
    store = Store.objects.create(
        name="Shop", slug="shop", base_url=sim.url, allow_http=True, consumer_key=key.key, consumer_secret=key.secret
    )
    with override_settings(PUBLIC_BASE_URL=live_server.url):
        webhook_registration.register(store)
    store.refresh_from_db()
    return store


def disable_on_the_store(sim, webhook_id: int) -> None:
    """What WooCommerce does to a webhook after a run of failed deliveries."""
    response = httpx.post(f"{sim.url}/_simulator/webhooks/{webhook_id}", json={"status": "disabled"})
    assert response.json()["status"] == "disabled"


def alerts() -> list[Notification]:
    return list(Notification.objects.filter(event_type=webhook_status.WEBHOOK_DISABLED))


def statuses(store: Store) -> dict[str, str]:
    store.refresh_from_db()
    return {hook["topic"]: hook["status"] for hook in store.webhook_check["webhooks"]}


def test_the_read_back_finds_status_topic_and_delivery_url_of_each_webhook(registered, live_server):
    state = webhook_status.check(registered)

    assert state["error"] == ""
    assert [(hook["topic"], hook["status"], hook["registered"], hook["points_here"]) for hook in state["webhooks"]] == [
        ("order.created", "active", True, True),
        ("order.deleted", "active", True, True),
        ("order.restored", "active", True, True),
        ("order.updated", "active", True, True),
    ]
    assert {hook["delivery_url"] for hook in state["webhooks"]} == {
        f"{live_server.url}/shop/webhooks/{registered.webhook_token}/"
    }
    assert alerts() == []


def test_a_webhook_found_disabled_raises_one_alert_and_the_store_page_shows_it(sim, registered, operator):
    disable_on_the_store(sim, registered.webhook_ids["order.updated"])

    assert check_webhooks.apply().get() == {"stores": 1, "disabled": 1, "errors": 0}
    webhook_status.check(registered)  # read again: still disabled, no second alert

    [alert] = alerts()
    assert (alert.level, alert.source_id, alert.data["topic"]) == ("error", "shop", "order.updated")
    assert alert.title == "Магазин Shop: WooCommerce отключил вебхук order.updated"
    assert statuses(registered)["order.updated"] == "disabled"
    page = operator.get(f"/admin/shop/store/{registered.pk}/change/").content.decode()
    assert ">disabled</td>" in page
    status = StringIO()
    call_command("shop_status", "--timeout", "1", stdout=status)
    assert "    webhooks on the store: order.updated disabled" in status.getvalue()


def test_reactivating_from_the_admin_sets_it_active_and_a_later_disabling_alerts_again(sim, registered, operator):
    hook_id = registered.webhook_ids["order.updated"]
    disable_on_the_store(sim, hook_id)
    webhook_status.check(registered)

    response = operator.post(
        "/admin/shop/store/", {"action": "reactivate_webhooks", "_selected_action": [registered.pk]}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == ["Shop: 1 вебхук снова включён."]
    assert sim.hub.webhooks[hook_id].status == "active"
    assert set(statuses(registered).values()) == {"active"}
    disable_on_the_store(sim, hook_id)
    webhook_status.check(registered)
    assert len(alerts()) == 2


def test_a_registered_webhook_deleted_on_the_store_shows_as_missing(sim, registered):
    del sim.hub.webhooks[registered.webhook_ids["order.deleted"]]

    webhook_status.check(registered)

    assert statuses(registered)["order.deleted"] == "missing"


def test_a_store_that_cannot_be_asked_keeps_what_was_read_with_the_error(sim, registered):
    webhook_status.check(registered)
    sim.store.inject("unauthorized", times=5, path="/wp-json/wc/v3/webhooks")

    state = webhook_status.check(registered)

    assert "в доступе отказано" in state["error"]  # authentication refused, in LANGUAGE_CODE=ru
    assert len(state["webhooks"]) == 4
