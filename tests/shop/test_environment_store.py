"""The seed's WOOCOMMERCE_* variables define a store: created or updated by every `migrate`, locked in the admin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from shop.environment import SLUG
from shop.models import Store

pytestmark = pytest.mark.django_db
KEY, SECRET = "ck_" + "1" * 40, "cs_" + "2" * 40


@pytest.fixture
def seed_variables(settings):
    """The seed's configuration, set by this test only (the suite never sees a developer's)."""
    settings.WOOCOMMERCE_MCP_URL = "https://ohana.market/wp-json/woocommerce/mcp"
    settings.WOOCOMMERCE_CONSUMER_KEY = KEY
    settings.WOOCOMMERCE_CONSUMER_SECRET = SECRET
    settings.SHOP_POLLING_INTERVAL = 90
    return settings


def migrate() -> None:
    call_command("migrate", verbosity=0)


def test_the_suite_never_picks_up_a_developers_environment_store(settings):
    assert (settings.WOOCOMMERCE_MCP_URL, settings.WOOCOMMERCE_CONSUMER_KEY) == ("", "")
    migrate()
    assert not Store.objects.filter(managed_by_environment=True).exists()


def test_migrate_creates_the_store_the_variables_define(seed_variables):
    migrate()

    store = Store.objects.get(managed_by_environment=True)
    assert (store.slug, store.name, store.base_url, store.api) == (
        SLUG,
        "ohana.market",
        "https://ohana.market",
        "mcp-legacy",
    )
    assert (store.consumer_key, store.consumer_secret, store.poll_interval) == (KEY, SECRET, 90)
    # Its schedule is the store's own: due at once, and no beat entry of its own.
    assert store.next_poll_at <= timezone.now()
    assert not PeriodicTask.objects.filter(task="shop.poll_orders").exists()


def test_migrate_again_updates_it_in_place(seed_variables):
    migrate()
    Store.objects.update(next_poll_at=timezone.now() + timedelta(seconds=90))  # dispatched: one interval away
    seed_variables.WOOCOMMERCE_CONSUMER_SECRET = "cs_" + "3" * 40
    seed_variables.SHOP_POLLING_INTERVAL = 30

    before = timezone.now()
    migrate()
    after = timezone.now()

    store = Store.objects.get()
    assert (store.consumer_secret, store.poll_interval) == ("cs_" + "3" * 40, 30)
    # The shorter interval brings the next poll forward to one new interval away.
    assert before + timedelta(seconds=30) <= store.next_poll_at <= after + timedelta(seconds=30)


@pytest.mark.parametrize(
    ("url", "base_url", "api"),
    [
        ("https://ohana.market/wp-json/woocommerce/mcp", "https://ohana.market", "mcp-legacy"),
        ("https://ohana.market/wp-json/mcp/mcp-adapter-default-server", "https://ohana.market", "mcp-adapter"),
        ("https://ohana.market", "https://ohana.market", "rest"),
        ("https://ohana.market/", "https://ohana.market", "rest"),
        ("https://example.com/shop/wp-json/woocommerce/mcp/", "https://example.com/shop", "mcp-legacy"),
        ("https://ohana.market/wp-json/wc/v3", "https://ohana.market", "rest"),
    ],
)
def test_the_url_decides_the_api(seed_variables, url, base_url, api):
    seed_variables.WOOCOMMERCE_MCP_URL = url

    call_command("sync_env_store", verbosity=0)

    assert Store.objects.values_list("base_url", "api").get() == (base_url, api)


@pytest.mark.parametrize(
    ("url", "key", "error"),
    [
        ("https://ohana.market/wp-json/woocommerce/mcp", "", "WOOCOMMERCE_CONSUMER_KEY"),
        ("ohana.market", KEY, "is not a store URL"),
        ("https://ohana.market/wp-json/mcp/my-server", KEY, "mcp-adapter-default-server"),
        ("https://ohana.market/wp-json/wp/v2", KEY, "no WooCommerce API"),
        ("http://ohana.market/wp-json/woocommerce/mcp", KEY, "MCP over https only: use https://ohana.market/wp-json/"),
        ("http://ohana.market/wp-json/mcp/mcp-adapter-default-server", KEY, "MCP over https only"),
    ],
)
def test_bad_variables_get_a_clear_error_and_write_nothing(seed_variables, url, key, error, caplog):
    seed_variables.WOOCOMMERCE_MCP_URL = url
    seed_variables.WOOCOMMERCE_CONSUMER_KEY = key

    with pytest.raises(CommandError, match=error):
        call_command("sync_env_store")
    migrate()  # migrate finishes all the same, and says why

    assert not Store.objects.exists()
    assert any(error in record.getMessage() for record in caplog.records)


def test_without_the_variables_the_store_stays_and_is_editable_again(seed_variables):
    migrate()
    seed_variables.WOOCOMMERCE_MCP_URL = ""

    migrate()

    assert Store.objects.get().managed_by_environment is False


def test_the_admin_marks_it_and_does_not_let_its_managed_fields_be_edited(seed_variables, admin_client):
    migrate()
    store = Store.objects.get()
    url = reverse("admin:shop_store_change", args=[store.pk])

    page = admin_client.get(url).content.decode()
    admin_client.post(url, {
        "name": "Renamed", "slug": store.slug, "enabled": "on", "base_url": "https://evil.example", "api": "rest",
        "consumer_key": "ck_x", "consumer_secret": "cs_x", "poll_interval": "10", "first_poll_lookback": "60",
        "overlap": "120", "event_types": store.event_types, "order_storage": "hpos",
    })  # fmt: skip

    assert "WOOCOMMERCE_MCP_URL" in page
    assert 'name="base_url"' not in page
    assert 'name="consumer_key"' not in page
    assert KEY not in page
    assert SECRET not in page
    store.refresh_from_db()
    assert store.name == "Renamed"  # not managed: editable
    assert (store.base_url, store.api, store.consumer_key, store.consumer_secret, store.poll_interval) == (
        "https://ohana.market", "mcp-legacy", KEY, SECRET, 90,
    )  # fmt: skip
    changelist = admin_client.get(reverse("admin:shop_store_changelist")).content.decode()
    assert '<td class="field-managed"><img src="/static/admin/img/icon-yes.svg" alt="True"></td>' in changelist
