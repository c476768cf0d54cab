"""Order notes tell when a status really changed: WooCommerce writes one on every change, none on a look."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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


def test_in_another_language_the_newest_note_not_written_to_the_customer_stands_in():
    notes = [
        note("Спасибо за заказ!", 40, customer=True),
        note("Статус заказа изменён с «В ожидании оплаты» на «Отменён».", 25),
    ]
    assert status_changed_at(notes) == T + timedelta(minutes=25)
    assert status_changed_at([]) is None
