"""Order notes tell when a status really changed: WooCommerce writes one on every change, none on a look."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shop.woocommerce import build_client
from shop.woocommerce.notes import OrderNote, status_changed_at
from tests.support.simulated_store import AN_HOUR_AGO

T = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def note(text: str, minutes: int, *, customer: bool = False) -> OrderNote:
    return OrderNote(minutes, text, T + timedelta(minutes=minutes), customer, "system")


def test_the_simulated_store_writes_notes_as_woocommerce_does_and_none_on_a_touch(server):
    order = server.store.create_order(status="pending", at=AN_HOUR_AGO).id
    server.store.set_status(order, "cancelled", at=AN_HOUR_AGO + timedelta(minutes=5))
    server.store.touch(order)

    with build_client(server.config()) as client:
        notes = client.order_notes(order)

    assert [(n.note, n.author, n.customer_note) for n in notes] == [
        ("Order status changed from Pending payment to Cancelled.", "system", False)
    ]
    assert notes[0].date_created_gmt == AN_HOUR_AGO + timedelta(minutes=5)
    assert status_changed_at(notes) == AN_HOUR_AGO + timedelta(minutes=5)


def test_the_newest_status_change_note_dates_the_change_whatever_came_after_it():
    notes = [
        note("Customer called about delivery.", 30),
        note(
            "Unpaid order cancelled - time limit reached. Order status changed from Pending payment to Cancelled.", 20
        ),
        note("Order status set to Pending payment.", 0),
    ]
    assert status_changed_at(notes) == T + timedelta(minutes=20)


@pytest.mark.parametrize(
    "text",
    [
        # English, the source strings.
        "Order status changed from Pending payment to Cancelled.",
        "Unpaid order cancelled - time limit reached. Order status changed from Pending payment to Cancelled.",
        "Order status set to Processing.",
        # Russian, as WooCommerce's ru_RU language packs wrote them over the years.
        "Статус заказа изменён с «Ожидается оплата» на «Отменён».",
        "Неоплаченный заказ отменен — достигнуто ограничение по времени. Статус заказа изменён с «Ожидается оплата» "
        "на «Отменён».",
        "Оплата по факту доставки. Статус заказа изменен с В ожидании оплаты на Обработка.",
        "Статус заказа установлен на Обработка.",
        # German, the de_DE language pack.
        "Status der Bestellung von Zahlung ausstehend auf Storniert geändert.",
        "Bestellstatus auf In Bearbeitung gesetzt.",
    ],
)
def test_a_status_change_note_is_recognised_in_the_stores_language(text):
    notes = [note("Покупатель звонил насчёт доставки.", 30), note(text, 20), note("Kunde hat angerufen.", 25)]

    assert notes[1].is_status_change
    assert status_changed_at(notes) == T + timedelta(minutes=20)  # not the later notes written by hand


@pytest.mark.parametrize(
    "text", ["Покупатель звонил насчёт доставки.", "Statut de la commande: voir le client.", "Order status: ask Bob."]
)
def test_a_note_written_by_hand_is_no_status_change(text):
    assert not note(text, 0).is_status_change


def test_in_a_language_no_pattern_covers_the_newest_note_not_written_to_the_customer_stands_in():
    notes = [
        note("Thank you for your order!", 40, customer=True),
        note("(a status change in a language ADOLF does not read)", 25),
    ]
    assert status_changed_at(notes) == T + timedelta(minutes=25)
    assert status_changed_at([]) is None


@pytest.mark.parametrize(
    ("language", "written"),
    [
        ("ru_RU", "Статус заказа изменён с «Ожидается оплата» на «Отменён»."),
        ("de_DE", "Status der Bestellung von Zahlung ausstehend auf Storniert geändert."),
    ],
)
def test_a_store_in_another_language_writes_its_notes_translated_and_they_date_the_change(server, language, written):
    server.store.language = language
    order = server.store.create_order(status="pending", at=AN_HOUR_AGO).id
    server.store.set_status(order, "cancelled", at=AN_HOUR_AGO + timedelta(minutes=5))
    server.store.add_note(order, "Customer called.")

    with build_client(server.config()) as client:
        notes = client.order_notes(order)

    assert [n.note for n in notes] == ["Customer called.", written]
    assert status_changed_at(notes) == AN_HOUR_AGO + timedelta(minutes=5)
