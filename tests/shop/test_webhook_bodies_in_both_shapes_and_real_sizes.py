"""Both body shapes WooCommerce sends are read, and a large real order fits: each signed delivery gets a 2xx."""

from __future__ import annotations

import io
import json

import pytest
from django.test import override_settings

from shop.models import WebhookDelivery
from shop.webhooks import CHUNK_BYTES, read_signed, sign
from tests.shop.webhook_support import SECRET, deliver

pytestmark = pytest.mark.django_db


def large_order(sim, items: int = 1000) -> dict:
    """A real order of the simulated store with `items` line items, each with WooCommerce's meta data."""
    order = sim.store.create_order(status="processing", items=items)
    with sim.store.lock:
        body = sim.store.render(order)
    for item in body["line_items"]:
        item["meta_data"] = [{"id": n, "key": f"_option_{n}", "value": "x" * 180} for n in range(5)]
    return body


def test_a_legacy_v3_body_is_read_at_order_id(client, sim, hooked):
    order = sim.store.create_order(status="processing")
    with sim.store.lock:
        legacy = {"order": sim.store.render(order)}

    response = deliver(client, hooked, legacy, topic="order.created")

    assert response.status_code == 202
    assert WebhookDelivery.objects.get().order_id == order.id


def test_a_1_2_mib_order_with_1000_line_items_is_accepted(client, sim, hooked):
    body = json.dumps(large_order(sim)).encode()
    assert len(body) > 1.2 * 1024 * 1024

    response = deliver(client, hooked, body)

    assert response.status_code == 202
    assert WebhookDelivery.objects.get().order_id == json.loads(body)["id"]


@override_settings(SHOP_WEBHOOK_MAX_BYTES=1024 * 1024)
def test_a_body_past_the_configured_limit_is_still_refused_with_413(client, sim, hooked):
    response = deliver(client, hooked, json.dumps(large_order(sim)).encode())

    assert response.status_code == 413
    assert not WebhookDelivery.objects.exists()


def test_the_signature_is_computed_piece_by_piece_as_the_body_is_read():
    body = json.dumps({"id": 7, "padding": "é" * 300_000}).encode()

    class Stream(io.BytesIO):
        sizes: list[int] = []

        def read(self, size: int = -1) -> bytes:
            self.sizes.append(size)
            return super().read(size)

    stream = Stream(body)
    read, signature = read_signed(stream, SECRET, limit=len(body))

    assert read == body
    assert signature == sign(SECRET, body)
    assert set(stream.sizes) == {CHUNK_BYTES}  # never the whole body at once
