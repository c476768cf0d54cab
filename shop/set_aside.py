"""Orders a store sends that cannot be recorded: set aside with their reason, so the rest of the store is.

One bad order never stops a store (DESIGN.md invariant 8; woocommerce/woocommerce#68783).
An order the parser cannot read (shop.woocommerce.orders.read_order) or the database
refuses is kept here with its id and reason; the page it came in is recorded, the cursor
moves on, and the order is tried again whenever the store lists it again (it changed) or
when the operator presses Retry. A batch of newly set-aside orders raises one alert; the
same orders seen again by later polls raise none.

All of it runs inside record_page's transaction, and only when there is something to do:
a store with nothing set aside pays no query for it (Store.orders_set_aside is the count).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notifications.publish import publish
from shop.models import OrderState, SetAsideOrder, Store
from shop.woocommerce.orders import UnreadableOrder

logger = logging.getLogger(__name__)

STORE_ORDERS_SET_ASIDE = "shop.store.orders_set_aside"
# At most this many orders named in an alert and kept on a poll run.
LISTED = 20
# Known-state columns checked before writing (shop.detection).
CHECKED = ("number", "status", "total", "currency", "customer_name", "refunded_total")


def key_of(unreadable: UnreadableOrder) -> str:
    """Return the key an order is set aside under: its id, or a fingerprint of what the store sent."""
    if unreadable.order_id is not None:
        return str(unreadable.order_id)
    return "item:" + hashlib.sha256(unreadable.sample.encode()).hexdigest()[:40]


def problem(order: Any) -> str | None:
    """Return why the known-state row of this order could not be written, or None if it can be.

    The columns' own validators (lengths, digits), so every database refuses the same
    orders; the parser (shop.woocommerce.orders) cleans what a real store sends to fit.
    """
    for name in CHECKED:
        value = getattr(order, name)
        try:
            OrderState._meta.get_field(name).run_validators(value)
        except ValidationError as exc:
            return f"order {order.id}: {name} {str(value)[:60]!r}: {' '.join(exc.messages)}"
    return None


def pending(store: Store, order_ids: Iterable[int]) -> dict[int, SetAsideOrder]:
    """Return the orders among `order_ids` that are set aside; no query when the store has none."""
    if not store.orders_set_aside:
        return {}
    rows = SetAsideOrder.objects.filter(store=store, key__in=[str(order_id) for order_id in order_ids])
    return {row.order_id: row for row in rows if row.order_id is not None}


def record(store: Store, unreadable: list[UnreadableOrder], *, window_start: datetime) -> list[SetAsideOrder]:
    """Set these orders aside (again); return the ones newly set aside, after alerting once for them.

    Call inside the page's transaction, with the store's row locked.
    """
    now = timezone.now()
    by_key = {key_of(order): order for order in unreadable}
    existing = {row.key: row for row in SetAsideOrder.objects.filter(store=store, key__in=by_key)}
    fresh, again = [], []
    for key, order in by_key.items():
        row = existing.get(key)
        if row is None:
            fresh.append(
                SetAsideOrder(
                    store=store,
                    order_id=order.order_id,
                    key=key,
                    reason=order.reason,
                    date_modified_gmt=order.date_modified_gmt,
                    sample=order.sample,
                    window_start=window_start,
                    last_tried=now,
                )
            )
        else:
            row.reason, row.sample, row.last_tried, row.attempts = order.reason, order.sample, now, row.attempts + 1
            row.date_modified_gmt = order.date_modified_gmt or row.date_modified_gmt
            again.append(row)
    if again:
        SetAsideOrder.objects.bulk_update(again, ["reason", "sample", "last_tried", "attempts", "date_modified_gmt"])
    if fresh:
        SetAsideOrder.objects.bulk_create(fresh)
        _count(store, len(fresh))
        _alert(store, fresh)
    for order in unreadable:
        logger.warning("order set aside store=%s order=%s: %s", store.slug, order.order_id, order.reason)
    return fresh


def resolve(store: Store, order_ids: Iterable[int]) -> int:
    """Forget these orders as set aside (they were recorded); return how many were."""
    deleted, _ = SetAsideOrder.objects.filter(store=store, key__in=[str(order_id) for order_id in order_ids]).delete()
    if deleted:
        _count(store, -deleted)
    return deleted


def forget(rows: Iterable[SetAsideOrder]) -> int:
    """Drop set-aside orders the operator gave up on; return how many."""
    dropped = 0
    for row in rows:
        with transaction.atomic():
            store = Store.objects.select_for_update().get(pk=row.store_id)
            deleted, _ = SetAsideOrder.objects.filter(pk=row.pk).delete()
            if deleted:
                _count(store, -deleted)
        dropped += deleted
    return dropped


def _count(store: Store, delta: int) -> None:
    # Exact: every writer of a store's set-aside orders holds its row lock (record_page).
    Store.objects.filter(pk=store.pk).update(orders_set_aside=Greatest(F("orders_set_aside") + delta, 0))
    store.orders_set_aside = max(0, store.orders_set_aside + delta)


def _alert(store: Store, fresh: list[SetAsideOrder]) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        title = ngettext(
            "Store %(name)s: %(count)d order set aside",
            "Store %(name)s: %(count)d orders set aside",
            len(fresh),
        ) % {"name": store.name, "count": len(fresh)}
        listed = "; ".join(
            f"#{row.order_id or '?'}: {row.reason}" for row in sorted(fresh, key=lambda row: row.order_id or 0)[:LISTED]
        )
        message = _(
            "ADOLF could not record these orders; the rest of the store is read as usual. Each is tried again "
            "when it next changes, or by Retry in the admin (Orders set aside). %(orders)s"
        ) % {"orders": listed}
    publish(
        STORE_ORDERS_SET_ASIDE, title, message, source_module="shop", source_id=store.slug, level="warning",
        data={"store": store.slug, "store_name": store.name,
              "orders": [{"order_id": row.order_id, "reason": row.reason} for row in fresh[:LISTED]]},
        dedupe_key=f"shop:store:{store.pk}:set-aside:{min(row.pk for row in fresh)}-{max(row.pk for row in fresh)}",
    )  # fmt: skip
