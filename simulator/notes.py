"""Order notes as WooCommerce writes them: the status-change note on every transition.

WC_Order::status_transition() adds "Order status changed from %1$s to %2$s." with both
statuses' display names (wc_get_order_status_name) whenever an order's status changes, and
"Order status set to %s." when a new order starts in a status. Nothing else in the
simulator writes notes; opening an order in wp-admin (SimulatedStore.touch) writes none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# wc_get_order_statuses(): the names WooCommerce gives its statuses.
STATUS_NAMES = {
    "pending": "Pending payment",
    "processing": "Processing",
    "on-hold": "On hold",
    "completed": "Completed",
    "cancelled": "Cancelled",
    "refunded": "Refunded",
    "failed": "Failed",
    "checkout-draft": "Draft",
    "trash": "Trash",
}


@dataclass
class SimNote:
    """One order note as WooCommerce keeps it: text, creation time, whether the customer sees it, its author."""

    id: int
    note: str
    created: datetime
    customer_note: bool = False
    author: str = "system"  # WooCommerce's own notes; a shop manager's carry their name


def status_name(status: str) -> str:
    """Return a status's display name; an extension's registered status shows as its label ("Ready pickup")."""
    return STATUS_NAMES.get(status) or status.replace("-", " ").capitalize()


def status_change(before: str, after: str) -> str:
    """Return WooCommerce's note for a status change: "Order status changed from Pending payment to ..."."""
    return f"Order status changed from {status_name(before)} to {status_name(after)}."


def status_set(status: str) -> str:
    """Return WooCommerce's note for a status set without a previous one: "Order status set to ..."."""
    return f"Order status set to {status_name(status)}."


def note_json(order_id: int, note: SimNote, base_url: str, local: Callable[[datetime], datetime]) -> dict[str, Any]:
    """Return one item of `GET /orders/<id>/notes` (WC_REST_Order_Notes_Controller, v3)."""
    up = f"{base_url}/wp-json/wc/v3/orders/{order_id}"
    return {
        "id": note.id,
        "author": note.author,
        "date_created": local(note.created).replace(tzinfo=None).isoformat(),
        "date_created_gmt": note.created.replace(tzinfo=None).isoformat(),
        "note": note.note,
        "customer_note": note.customer_note,
        "_links": {
            "self": [{"href": f"{up}/notes/{note.id}"}],
            "collection": [{"href": f"{up}/notes"}],
            "up": [{"href": up}],
        },
    }
