"""Order events published the way polling publishes them, for tests of what staff read."""

from __future__ import annotations

from django.utils import timezone

from notifications.models import Notification
from shop.models import OrderEvent, Store
from shop.publishing import publish_events


def order_snapshot(**changes) -> dict:
    """A snapshot (shop.texts.snapshot_of) of a paid order with two items and every customer detail."""
    snapshot = {
        "number": "1042", "status": "processing", "total": "7057.00", "currency": "RUB", "refunded_total": "0",
        "customer": "Анна Смирнова", "email": "anna@example.com", "phone": "+7 900 123-45-67",
        "payment_method": "Оплата картой", "payment_method_id": "card", "shipping_method": "Курьер",
        "city": "Москва", "customer_note": "", "items": 2,
        "line_items": [
            {"name": "Худи – синее", "quantity": 1, "variation": "Размер: L"},
            {"name": "Кружка", "quantity": 2, "variation": ""},
        ],
    }  # fmt: skip
    snapshot.update(changes)
    return snapshot


def publish_order_event(
    store: Store, event_type: str = "shop.order.new", *, order_id: int = 1042, from_status: str = "pending", **changes
) -> Notification:
    """Record an order event with a snapshot and publish it as polling does; return its notification."""
    snapshot = order_snapshot(number=str(order_id), **changes)
    event = OrderEvent.objects.create(
        store=store, order_id=order_id, order_number=str(order_id), event_type=event_type,
        from_status=from_status, to_status=snapshot["status"], occurred_at=timezone.now(), snapshot=snapshot,
        dedupe_key=f"{store.pk}:{order_id}:{event_type}:test",
    )  # fmt: skip
    publish_events([event.pk])
    return Notification.objects.get(dedupe_key=f"shop:{event.dedupe_key}")
