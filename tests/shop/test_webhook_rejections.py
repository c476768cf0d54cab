"""Every delivery the receiver refuses gets a clear error, and nothing is stored or queued.

It refuses only what cannot have come from the store: an unknown URL, a bad signature, a
body past the limit. Signed deliveries are answered 2xx (test_webhook_receiver.py).
"""

from __future__ import annotations

import pytest
from django.test import override_settings

from shop.models import OrderEvent, OrderState, Store
from tests.shop.webhook_support import SECRET, deliver, url_of
from tests.support.processes import queued_messages

pytestmark = pytest.mark.django_db


def nothing_recorded() -> bool:
    return not OrderEvent.objects.exists() and not OrderState.objects.exists()


@pytest.fixture(autouse=True)
def empty_queues():
    from tests.support.processes import purge_queues

    purge_queues()
    yield
    assert queued_messages() == 0, "a refused delivery queued a task"


def test_it_refuses_a_wrong_signature_with_401_and_counts_it(client, hooked):
    response = deliver(client, hooked, {"id": 1}, secret="not-the-secret")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "bad_signature"
    hooked.refresh_from_db()
    assert hooked.webhook_signature_failures == 1
    assert hooked.webhook_last_failure_at is not None
    assert hooked.webhook_deliveries == 0
    assert nothing_recorded()


def test_it_refuses_a_missing_signature_with_401(client, hooked):
    response = deliver(client, hooked, {"id": 1}, HTTP_X_WC_WEBHOOK_SIGNATURE="")

    assert response.status_code == 401
    assert "missing" in response.json()["error"]["message"]


def test_a_body_changed_after_signing_is_refused(client, hooked):
    from simulator.webhooks import sign

    signature = sign(SECRET, b'{"id": 1}')
    response = deliver(client, hooked, b'{"id": 2}', HTTP_X_WC_WEBHOOK_SIGNATURE=signature)

    assert response.status_code == 401


def test_a_store_without_a_webhook_secret_refuses_every_delivery(client, store):
    response = deliver(client, store, {"id": 1}, secret="")

    assert response.status_code == 401
    assert "no webhook secret" in response.json()["error"]["message"]


@override_settings(SHOP_WEBHOOK_MAX_BYTES=2048)
def test_an_oversized_body_is_refused_with_413(client, hooked):
    response = deliver(client, hooked, {"id": 1, "padding": "x" * 5000})

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert nothing_recorded()


def test_an_unknown_url_is_404(client, hooked):
    response = client.post("/shop/webhooks/not-a-token/", b"{}", content_type="application/json")

    assert response.status_code == 404


def test_only_post_is_accepted(client, hooked):
    assert client.get(url_of(hooked)).status_code == 405


def test_a_ping_shaped_body_with_a_bad_signature_is_not_a_ping(client, hooked):
    response = client.generic(
        "POST", url_of(hooked), b"webhook_id=3", content_type="application/x-www-form-urlencoded",
        HTTP_X_WC_WEBHOOK_SIGNATURE="forged",
    )  # fmt: skip

    assert response.status_code == 401


def test_a_secret_no_key_decrypts_is_answered_2xx_records_nothing_and_counts_a_failure(client, hooked, settings):
    from cryptography.fernet import Fernet

    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # replaced without the old key

    response = deliver(client, hooked, {"id": 1})

    # A non-2xx answer would earn a strike from WooCommerce; polling reads the change.
    assert response.status_code == 200
    assert "cannot be decrypted" in response.json()["ignored"]
    assert Store.objects.get(pk=hooked.pk).webhook_signature_failures == 1
    assert nothing_recorded()
