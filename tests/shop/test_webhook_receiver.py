"""The webhook receiver: answers WooCommerce's ping, verifies signatures, records the delivery, answers 2xx.

WooCommerce disables a webhook after a run of non-2xx answers and never retries, so a
correctly signed delivery is always acknowledged: recorded in the inbox when it names an
order, ignored (and logged) when it names none.
"""

from __future__ import annotations

import pytest

from shop.models import OrderEvent, Store, WebhookDelivery
from tests.shop.conftest import ago
from tests.shop.webhook_support import deliver, url_of
from tests.support.processes import wait_for


@pytest.mark.django_db
def test_it_answers_the_creation_ping_with_exactly_200(client, hooked):
    response = client.generic(
        "POST", url_of(hooked), b"webhook_id=17", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    hooked.refresh_from_db()
    assert (hooked.webhook_deliveries, hooked.webhook_signature_failures) == (0, 0)
    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db
def test_each_store_has_its_own_unguessable_url(sim, hooked):
    from tests.shop.conftest import store_for

    other = store_for(sim, slug="other")

    assert hooked.webhook_token != other.webhook_token
    assert len(hooked.webhook_token) >= 32
    assert str(hooked.pk) not in url_of(hooked).split("/")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_signed_delivery_is_recorded_before_the_answer_and_its_order_refetched_and_recorded(
    client, sim, hooked, celery_worker
):
    order = sim.store.create_order(status="processing", at=ago(sim, minutes=1))
    # The body is only a hint: the order is read again from the store.
    response = deliver(client, hooked, {"id": order.id, "status": "pending"}, HTTP_X_WC_WEBHOOK_ID="31")

    assert response.status_code == 202
    received = WebhookDelivery.objects.get()
    assert response.json() == {"accepted": order.id, "delivery": received.pk}
    assert (received.store_id, received.order_id, received.topic, received.webhook_id) == (
        hooked.pk, order.id, "order.updated", 31
    )  # fmt: skip
    event = wait_for(lambda: OrderEvent.objects.filter(order_id=order.id).first(), timeout=30, what="the event")
    assert (event.event_type, event.source, event.to_status) == ("shop.order.new", "webhook", "processing")
    received = wait_for(lambda: WebhookDelivery.objects.filter(status="done").first(), timeout=30, what="done")
    assert (received.attempts, received.events_created, received.last_error) == (1, 1, "")
    hooked.refresh_from_db()
    assert hooked.webhook_deliveries == 1
    assert hooked.webhook_last_delivery_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "topic", "reason"),
    [
        (b"{not json", "order.updated", "the body is not JSON"),
        (b"\xff\xfe\x00", "order.updated", "the body is not JSON"),
        (b"[1, 2]", "order.updated", "the body names no order"),
        (b'{"id": "12"}', "order.updated", "the body names no order"),
        (b'{"id": -3}', "order.updated", "the body names no order"),
        (b'{"id": true}', "order.updated", "the body names no order"),
        (b'{"id": 99999999999999999999999}', "order.updated", "the body names no order"),
        (b'{"number": "12"}', "order.updated", "the body names no order"),
        (b'{"order": {"number": "12"}}', "order.updated", "the body names no order"),
        (b'{"id": 12}', "product.updated", "topic 'product.updated' is not one of"),
        (b'{"id": 12}', "", "topic '' is not one of"),
    ],
)
def test_a_signed_delivery_naming_no_order_is_acknowledged_and_ignored(client, hooked, body, topic, reason):
    response = deliver(client, hooked, body, topic=topic)

    assert response.status_code == 200
    assert response.json()["ignored"].startswith(reason)
    assert not WebhookDelivery.objects.exists()
    assert not OrderEvent.objects.exists()


@pytest.mark.django_db
def test_a_delivery_to_a_disabled_store_is_acknowledged_and_ignored(client, hooked):
    Store.objects.filter(pk=hooked.pk).update(enabled=False)

    response = deliver(client, hooked, {"id": 5})

    assert response.status_code == 200
    assert response.json() == {"ignored": "the store is disabled in ADOLF"}
    assert not WebhookDelivery.objects.exists()
