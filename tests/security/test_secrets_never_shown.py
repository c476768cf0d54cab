"""Secrets never appear in responses, logs or error pages."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path

from shop.models import Store
from tests.shop.webhook_support import deliver

pytestmark = pytest.mark.django_db

WEBHOOK_SECRET = "whsec-never-shown-8d1f"
CONSUMER_SECRET = "cs_never_shown_5a7e"


@pytest.fixture
def store(db) -> Store:
    return Store.objects.create(
        name="Shop", slug="shop", base_url="https://shop.example", consumer_key="ck_never_shown_1b2c",
        consumer_secret=CONSUMER_SECRET, webhook_secret=WEBHOOK_SECRET,
    )  # fmt: skip


def crash(request) -> HttpResponse:
    store = Store.objects.get()
    raise RuntimeError(f"boom with {store.consumer_secret} and {store.webhook_secret}")


urlpatterns = [path("crash/", crash)]


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_the_error_page_shows_no_secret(store):
    response = Client(raise_request_exception=False).get("/crash/")

    assert response.status_code == 500
    page = response.content.decode()
    assert CONSUMER_SECRET not in page
    assert WEBHOOK_SECRET not in page


def test_the_store_page_never_shows_the_webhook_secret(client, store):
    client.force_login(get_user_model().objects.create_superuser("operator", password="a-long-password-1"))

    page = client.get(f"/admin/shop/store/{store.pk}/change/").content.decode()

    assert WEBHOOK_SECRET not in page
    assert CONSUMER_SECRET not in page
    assert store.webhook_token in page  # the URL is shown: it is where the store delivers


def test_the_webhook_receiver_logs_and_answers_no_secret(client, store, caplog):
    caplog.set_level(logging.DEBUG)
    answers = [
        deliver(client, store, {"id": 1}, secret="wrong-secret"),
        deliver(client, store, b"{broken", secret=WEBHOOK_SECRET),
        deliver(client, store, {"id": 1}, secret=WEBHOOK_SECRET, HTTP_X_WC_WEBHOOK_SIGNATURE=""),
    ]

    for answer in answers:
        assert WEBHOOK_SECRET not in answer.content.decode()
    assert WEBHOOK_SECRET not in caplog.text
    assert "wrong-secret" not in caplog.text


def test_a_store_url_must_be_https_unless_plain_http_is_explicitly_allowed(client):
    from shop.clients import config_for
    from shop.forms import StoreForm
    from shop.woocommerce.auth import rest_auth

    data = {
        "name": "Shop", "slug": "shop", "base_url": "http://shop.example", "api": "rest", "consumer_key": "ck_1",
        "consumer_secret": "cs_1", "poll_interval": "60", "first_poll_lookback": "60", "overlap": "120",
        "event_types": ["shop.order.new"], "enabled": "on",
    }  # fmt: skip
    refused = StoreForm(data)
    assert not refused.is_valid()
    assert "обычный http" in str(refused.errors)  # LANGUAGE_CODE=ru

    allowed = StoreForm({**data, "allow_http": "on"})
    assert allowed.is_valid(), allowed.errors
    store = allowed.save()
    assert type(rest_auth(config_for(store))).__name__ == "OAuth1QueryAuth"
