"""The seed's polling algorithm (seeds/003, section 6.2), written faithfully as a baseline.

Per order: one Redis HGET for the known status and one HSET; per event: one Celery message.
Two liberties, so that it runs on the same data as ADOLF: it reads every page (the seed read
one page of 100), and it is handed the same listing (the seed filtered by creation date).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import redis

REDIS_KEY_LAST_POLL_TIME = "shop:polling:last_poll_time"
REDIS_KEY_KNOWN_ORDERS = "shop:polling:known_orders"
QUEUE = "bench-seed"  # nobody consumes it; the runner purges it


def last_poll_time(client: redis.Redis) -> datetime:
    raw = client.get(REDIS_KEY_LAST_POLL_TIME)
    return datetime.fromisoformat(raw.decode()) if raw else datetime.now(UTC) - timedelta(hours=1)


def poll(pages: Iterable[list[dict]], client: redis.Redis, celery_app) -> int:
    """Process the pages as the seed did; return the number of events sent."""
    sent = 0
    for page in pages:
        for order in page:
            sent += process_order_event(order, client, celery_app)
    client.set(REDIS_KEY_LAST_POLL_TIME, datetime.now(UTC).isoformat())
    return sent


def process_order_event(order: dict, client: redis.Redis, celery_app) -> int:
    order_id = order["id"]
    status = order["status"]
    known = client.hget(REDIS_KEY_KNOWN_ORDERS, str(order_id))
    known = known.decode() if known else None
    if known == status:
        return 0
    event = None
    if status == "processing" and known is None:
        event = ("shop.order.new", "Новый заказ", f"Заказ #{order_id} на сумму {order['total']} ₽", "info")
    elif status == "cancelled":
        event = ("shop.order.cancelled", "Заказ отменён", f"Клиент отменил заказ #{order_id}", "warning")
    elif status == "refunded":
        event = ("shop.order.refunded", "Возврат средств", f"Оформлен возврат по заказу #{order_id}", "warning")
    elif status == "failed":
        event = ("shop.order.failed", "Ошибка оплаты", f"Не удалась оплата заказа #{order_id}", "error")
    if event:
        event_type, title, message, level = event
        celery_app.send_task(
            "shop.send_notification",
            kwargs={
                "event_type": event_type, "title": title, "message": message, "level": level,
                "order_id": order_id,
                "order_data": {
                    "total": order.get("total"),
                    "customer": order.get("billing", {}).get("first_name"),
                    "status": status,
                },
            },
            queue=QUEUE,
        )  # fmt: skip
    client.hset(REDIS_KEY_KNOWN_ORDERS, str(order_id), status)
    return 1 if event else 0
