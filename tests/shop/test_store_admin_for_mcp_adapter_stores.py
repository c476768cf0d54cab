"""An MCP adapter store's page says what its API cannot see, and takes optional REST keys, write-only."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from shop.models import Store

pytestmark = pytest.mark.django_db

APP_PASSWORD = "abcd efgh ijkl mnop qrst uvwx"
REST_KEY, REST_SECRET = "ck_rest_key_never_shown_41", "cs_rest_secret_never_shown_42"


@pytest.fixture
def operator(client):
    client.force_login(get_user_model().objects.create_superuser("operator", password="a-long-password-1"))
    return client


def form(**changes) -> dict:
    data = {
        "name": "Adapter shop", "slug": "adapter", "base_url": "https://shop.example", "api": "mcp-adapter",
        "consumer_key": "adolf", "consumer_secret": APP_PASSWORD, "poll_interval": "60", "first_poll_lookback": "60",
        "overlap": "120", "event_types": ["shop.order.new"], "enabled": "on",
    }  # fmt: skip
    data.update(changes)
    return data


def test_the_page_of_an_adapter_store_without_rest_keys_lists_what_its_api_cannot_see(operator):
    assert operator.post("/admin/shop/store/add/", form()).status_code == 302
    store = Store.objects.get()

    page = operator.get(f"/admin/shop/store/{store.pk}/change/").content.decode()

    assert "Чего не видит его API" in page
    assert page.count("<li>частичные возвраты: ") == 1
    assert "<li>даты оплаты: " in page
    assert "<li>веб-хуки: " in page


def test_with_rest_keys_the_page_says_every_event_can_be_seen_and_never_shows_the_keys(operator):
    response = operator.post(
        "/admin/shop/store/add/", form(rest_consumer_key=REST_KEY, rest_consumer_secret=REST_SECRET)
    )
    assert response.status_code == 302
    store = Store.objects.get()
    assert (store.rest_consumer_key, store.rest_consumer_secret) == (REST_KEY, REST_SECRET)

    page = operator.get(f"/admin/shop/store/{store.pk}/change/").content.decode()

    assert "видно каждое событие заказа" in page
    assert REST_KEY not in page
    assert REST_SECRET not in page


def test_blank_rest_key_fields_keep_the_keys_and_forget_clears_them(operator):
    operator.post("/admin/shop/store/add/", form(rest_consumer_key=REST_KEY, rest_consumer_secret=REST_SECRET))
    store = Store.objects.get()
    change = f"/admin/shop/store/{store.pk}/change/"

    assert operator.post(change, form(consumer_key="", consumer_secret="", name="Renamed")).status_code == 302
    store.refresh_from_db()
    assert (store.name, store.rest_consumer_key, store.rest_consumer_secret) == ("Renamed", REST_KEY, REST_SECRET)

    assert operator.post(change, form(consumer_key="", consumer_secret="", forget_rest_keys="on")).status_code == 302
    store.refresh_from_db()
    assert (store.rest_consumer_key, store.rest_consumer_secret, store.consumer_secret) == ("", "", APP_PASSWORD)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        (
            {"api": "rest", "consumer_key": "ck_1", "consumer_secret": "cs_1", "rest_consumer_key": REST_KEY,
             "rest_consumer_secret": REST_SECRET},
            "Отдельные ключи REST нужны только магазинам с MCP-адаптером",
        ),
        ({"rest_consumer_key": REST_KEY}, "ключ и секрет REST указываются вместе"),
    ],
    ids=["on-a-rest-store", "key-without-secret"],
)  # fmt: skip
def test_rest_keys_where_they_do_not_belong_get_a_clear_error_and_nothing_is_saved(operator, changes, error):
    response = operator.post("/admin/shop/store/add/", form(**changes))

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Store.objects.exists()


def test_the_api_choices_name_the_woocommerce_versions_that_serve_them(operator):
    page = operator.get("/admin/shop/store/add/").content.decode()

    assert "MCP, собственная точка WooCommerce (WooCommerce 10.3.6 и новее)" in page
    assert "MCP-адаптер (WooCommerce 10.9 и новее)" in page
    assert "10.8" not in page
