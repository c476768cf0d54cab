"""A store's webhook URL token never reaches a log line: Django logs the path of every 4xx/5xx it answers."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from adolf.logs import JsonFormatter, KeyValueFormatter
from shop.models import Store
from tests.shop.factories import StoreFactory
from tests.shop.webhook_support import SECRET, deliver, url_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def store() -> Store:
    store = StoreFactory()
    Store.objects.filter(pk=store.pk).update(webhook_secret=SECRET)
    store.refresh_from_db()
    return store


def django_request_lines(caplog) -> list[str]:
    records = [record for record in caplog.records if record.name == "django.request"]
    assert records, "Django logged no django.request record"
    return [formatter.format(record) for record in records for formatter in (KeyValueFormatter(), JsonFormatter())]


def test_a_badly_signed_delivery_is_logged_without_the_stores_token(store, caplog):
    caplog.set_level(logging.WARNING, logger="django.request")

    response = deliver(Client(), store, {"id": 1}, secret="not-the-secret")

    assert response.status_code == 401
    for line in django_request_lines(caplog):
        assert store.webhook_token not in line
        assert "/shop/webhooks/***/" in line


def test_a_delivery_to_an_unknown_url_is_logged_without_the_token_it_tried(store, caplog):
    caplog.set_level(logging.WARNING, logger="django.request")
    guessed = store.webhook_token[::-1]

    response = Client().post(
        url_of(store).replace(store.webhook_token, guessed), b"{}", content_type="application/json"
    )

    assert response.status_code == 404
    for line in django_request_lines(caplog):
        assert guessed not in line
        assert "Not Found: /shop/webhooks/***/" in line
