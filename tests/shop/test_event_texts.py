"""Staff read the seed's Russian texts by default, and English on request."""

from __future__ import annotations

import pytest

from shop import rules
from shop.texts import render

ORDER = {"number": "1042", "total": "2990.00", "currency": "RUB", "refunded_total": "500.00"}


@pytest.mark.parametrize(
    ("event_type", "title", "message"),
    [
        (rules.NEW, "Новый заказ", "Заказ #1042 на сумму 2990.00 ₽"),
        (rules.CANCELLED, "Заказ отменён", "Клиент отменил заказ #1042"),
        (rules.REFUNDED, "Возврат средств", "Оформлен возврат по заказу #1042"),
        (rules.FAILED, "Ошибка оплаты", "Не удалась оплата заказа #1042"),
        (rules.PARTIALLY_REFUNDED, "Частичный возврат", "По заказу #1042 возвращено 500.00 ₽"),
    ],
)
def test_the_seeds_russian_texts_are_the_default(event_type, title, message):
    assert render(event_type, ORDER) == (title, message)


def test_english_texts_are_available():
    assert render(rules.NEW, ORDER, language="en") == ("New order", "Order #1042 for 2990.00 ₽")
    assert render(rules.FAILED, ORDER, language="en") == ("Payment failed", "Payment for order #1042 failed")


def test_every_event_type_has_a_text():
    for event_type in rules.EVENT_TYPES:
        title, message = render(event_type, ORDER, language="en")
        assert title
        assert "1042" in message
