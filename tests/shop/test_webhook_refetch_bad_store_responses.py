"""Bad answers from the store to a webhook's re-fetch: a typed error, nothing half-written.

The re-fetch of a webhook's order is the store-response entry point of the webhook path;
each misbehaviour gets its error type (transient ones are retried by the task) and
leaves neither a state nor an event behind.
"""

from __future__ import annotations

import pytest

from shop.models import OrderEvent, OrderState, SetAsideOrder
from shop.webhooks import refetch
from shop.woocommerce.errors import AuthenticationError, InvalidResponseError, RateLimitedError, TransientError
from tests.shop.conftest import ago

pytestmark = pytest.mark.django_db

CASES = [
    ({"kind": "status", "status": 500}, TransientError, "500"),
    ({"kind": "status", "status": 503, "retry_after": "7"}, TransientError, "503"),
    ({"kind": "rate_limit", "retry_after": "3"}, RateLimitedError, "429"),
    ({"kind": "unauthorized"}, AuthenticationError, "Consumer secret is invalid"),
    ({"kind": "malformed"}, InvalidResponseError, "not JSON"),
    ({"kind": "truncate"}, TransientError, ""),
    ({"kind": "drop"}, TransientError, ""),
]


@pytest.mark.parametrize(("fault", "error", "message"), CASES, ids=[case[0]["kind"] for case in CASES])
def test_a_bad_answer_raises_its_typed_error_and_records_nothing(sim, store, fault, error, message):
    order = sim.store.create_order(status="processing", at=ago(sim, minutes=1))
    options = {name: value for name, value in fault.items() if name != "kind"}
    # Every retry inside the HTTP wrapper meets the fault too. The re-fetch is a listing
    # of the orders asked for (`include`), as the inbox reads many at once.
    sim.store.inject(fault["kind"], times=10, path="/wp-json/wc/v3/orders", **options)

    with pytest.raises(error) as raised:
        refetch(store.pk, order.id, "order.updated")

    assert message in str(raised.value)
    assert not OrderState.objects.exists()
    assert not OrderEvent.objects.exists()


def test_an_order_body_missing_its_fields_is_set_aside_not_raised(sim, store):
    order = sim.store.create_order(status="processing", at=ago(sim, minutes=1))
    # The store answers an order without its status (a plugin filtering the REST response).
    sim.store.poison(order.id, status=None)

    assert refetch(store.pk, order.id, "order.updated") == []

    assert not OrderState.objects.exists()
    aside = SetAsideOrder.objects.get()
    assert (aside.order_id, aside.reason) == (
        order.id,
        f"an order needs a positive integer `id` and a `status`, not '{order.id}' / 'None'",
    )
