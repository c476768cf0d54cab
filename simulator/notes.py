"""Order notes as WooCommerce writes them: the status-change note on every transition.

WC_Order::status_transition() adds "Order status changed from %1$s to %2$s." with both
statuses' display names (wc_get_order_status_name) whenever an order's status changes, and
"Order status set to %s." when a new order starts in a status. Nothing else in the
simulator writes notes but `SimulatedStore.add_note` (a shop manager's note); opening an
order in wp-admin (SimulatedStore.touch) writes none.

A store whose site language is not English writes them translated by WooCommerce's own
language pack (translate.wordpress.org, "Plugins - WooCommerce - Stable"): LANGUAGES holds
those packs' texts — ru_RU as of 2024-04-18, de_DE as of 2025-07-26 — and status names
(msgctxt "Order status").
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


@dataclass(frozen=True)
class Language:
    """WooCommerce's status-change texts and status names in one site language."""

    changed: str  # "Order status changed from %1$s to %2$s."
    set: str  # "Order status set to %s."
    names: dict[str, str]


LANGUAGES = {
    "en_US": Language("Order status changed from {0} to {1}.", "Order status set to {0}.", STATUS_NAMES),
    "ru_RU": Language(
        "Статус заказа изменён с «{0}» на «{1}».",
        "Статус заказа установлен на {0}.",
        {
            "pending": "Ожидается оплата",
            "processing": "Обработка",
            "on-hold": "На удержании",
            "completed": "Выполнен",
            "cancelled": "Отменён",
            "refunded": "Возвращён",
            "failed": "Не удался",
            "checkout-draft": "Черновик",
        },
    ),
    "de_DE": Language(
        "Status der Bestellung von {0} auf {1} geändert.",
        "Bestellstatus auf {0} gesetzt.",
        {
            "pending": "Zahlung ausstehend",
            "processing": "In Bearbeitung",
            "on-hold": "In Wartestellung",
            "completed": "Abgeschlossen",
            "cancelled": "Storniert",
            "refunded": "Rückerstattet",
            "failed": "Fehlgeschlagen",
            "checkout-draft": "Entwurf",
        },
    ),
}


def status_name(status: str, language: str = "en_US") -> str:
    """Return a status's display name; an extension's registered status shows as its label ("Ready pickup")."""
    names = LANGUAGES[language].names
    return names.get(status) or STATUS_NAMES.get(status) or status.replace("-", " ").capitalize()


def status_change(before: str, after: str, language: str = "en_US") -> str:
    """Return WooCommerce's note for a status change in the site language: "Order status changed from ... to ..."."""
    return LANGUAGES[language].changed.format(status_name(before, language), status_name(after, language))


def status_set(status: str, language: str = "en_US") -> str:
    """Return WooCommerce's note for a status set without a previous one, in the site language."""
    return LANGUAGES[language].set.format(status_name(status, language))


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
