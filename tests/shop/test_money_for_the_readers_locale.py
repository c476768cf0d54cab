"""Money reads as the reader writes it, in the order's currency: Babel's CLDR data, not a table of symbols."""

from __future__ import annotations

import pytest

from shop.texts import money

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("amount", "currency", "language", "shown"),
    [
        ("7057.00", "RUB", "ru", f"7{NBSP}057,00{NBSP}₽"),
        ("7057.00", "RUB", "en", "RUB7,057.00"),
        ("29.35", "USD", "ru", f"29,35{NBSP}$"),
        ("29.35", "USD", "en", "$29.35"),
        ("1234567.5", "EUR", "en", "€1,234,567.50"),
        ("1234567.5", "EUR", "ru", f"1{NBSP}234{NBSP}567,50{NBSP}€"),
        ("1500", "UAH", "ru", f"1{NBSP}500,00{NBSP}₴"),
        ("100", "JPY", "en", "¥100"),  # no minor unit
        ("-500.00", "RUB", "ru", f"-500,00{NBSP}₽"),
    ],
)
def test_amounts_follow_the_readers_locale_and_the_orders_currency(amount, currency, language, shown):
    assert money(amount, currency, language) == shown


def test_an_unknown_currency_code_is_shown_beside_the_number():
    assert money("1000", "XYZ", "ru") == f"1{NBSP}000,00{NBSP}XYZ"


def test_a_store_without_a_currency_shows_the_number_alone():
    assert money("1000.5", "", "en") == "1,000.5"


def test_a_total_that_is_not_a_number_is_shown_as_the_store_sent_it():
    assert money("n/a", "RUB", "ru") == "n/a"
