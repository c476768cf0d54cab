"""`add_store --webhook-secret` stores the secret encrypted and prints the store's webhook URL."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from shop.models import Store

pytestmark = pytest.mark.django_db

ARGS = ["--name", "Shop", "--url", "https://shop.example", "--consumer-key", "ck_1", "--consumer-secret", "cs_1"]


@override_settings(PUBLIC_BASE_URL="https://adolf.example")
def test_it_stores_the_webhook_secret_and_prints_the_webhook_url():
    out = StringIO()
    call_command("add_store", *ARGS, "--webhook-secret", "hand-made-secret", stdout=out)

    store = Store.objects.get()
    assert store.webhook_secret == "hand-made-secret"
    assert f"Webhook URL: https://adolf.example/shop/webhooks/{store.webhook_token}/" in out.getvalue()
    assert "hand-made-secret" not in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("SELECT webhook_secret FROM shop_store")
        assert "hand-made-secret" not in cursor.fetchone()[0]


@override_settings(PUBLIC_BASE_URL="")
def test_without_a_public_base_url_it_prints_the_path_and_what_to_set():
    out = StringIO()
    call_command("add_store", *ARGS, stdout=out)

    store = Store.objects.get()
    expected = f"Webhook URL: <PUBLIC_BASE_URL>/shop/webhooks/{store.webhook_token}/ (set PUBLIC_BASE_URL)"
    assert expected in out.getvalue()
    assert store.webhook_secret == ""
