"""A channel may add conditions on the order: a minimum total per currency, no free orders, payment methods."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.models import Channel, Delivery
from notifications.publish import publish
from tests.factories.notifications import ChannelFactory
from tests.shop.factories import StoreFactory
from tests.support.order_events import publish_order_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    return StoreFactory(slug="main")


def reached(channel: Channel) -> list[str]:
    """The order numbers the channel got a delivery for."""
    numbers = Delivery.objects.filter(channel=channel).values_list("notification__data__number", flat=True)
    return sorted(str(number) for number in numbers)  # SQLite reads "1" back from JSON as 1


def orders(store) -> None:
    publish_order_event(store, order_id=1, total="500.00", currency="RUB", payment_method_id="cod",
                        payment_method="Cash on delivery")  # fmt: skip
    publish_order_event(store, order_id=2, total="5000.00", currency="RUB", payment_method_id="card",
                        payment_method="Оплата картой")  # fmt: skip
    publish_order_event(store, order_id=3, total="0.00", currency="RUB", payment_method_id="", payment_method="")
    publish_order_event(store, order_id=4, total="15.00", currency="USD", payment_method_id="bacs",
                        payment_method="Direct bank transfer")  # fmt: skip
    publish_order_event(store, order_id=5, total="99.00", currency="EUR", payment_method_id="card",
                        payment_method="Card")  # fmt: skip


def test_empty_conditions_pass_every_order(store):
    channel = ChannelFactory()
    orders(store)
    assert reached(channel) == ["1", "2", "3", "4", "5"]


def test_a_minimum_total_applies_in_its_currency_and_other_currencies_pass(store):
    channel = ChannelFactory(min_totals={"RUB": "1000", "USD": "20"})
    orders(store)
    assert reached(channel) == ["2", "5"]


def test_free_orders_can_be_skipped(store):
    channel = ChannelFactory(skip_free_orders=True)
    orders(store)
    assert reached(channel) == ["1", "2", "4", "5"]


def test_payment_methods_match_by_id_or_title_whatever_the_case(store):
    channel = ChannelFactory(payment_methods=["COD", "direct bank transfer"])
    orders(store)
    assert reached(channel) == ["1", "4"]


def test_notifications_about_no_order_pass_every_order_condition(store):
    channel = ChannelFactory(min_totals={"RUB": "1000000"}, skip_free_orders=True, payment_methods=["card"])

    publish("shop.store.auth_failed", "Магазин отказал в ключах", "", "shop", level="error", data={"store": "main"})
    publish("auth.user.locked", "Учётная запись заблокирована", "", "auth")

    assert Delivery.objects.filter(channel=channel).count() == 2


def test_the_admin_form_reads_conditions_and_names_a_bad_one(admin_client, settings):
    settings.LANGUAGE_CODE = "en"
    form = {"kind": "webhook", "name": "Big orders", "enabled": "on", "min_level": "info", "language": "en",
            "webhook_url": "https://hooks.example/adolf", "webhook_secret": "s" * 20,
            "min_totals_text": "rub 1000, USD 20.5", "payment_methods_text": "card, cod",
            "skip_free_orders": "on"}  # fmt: skip

    assert admin_client.post(reverse("admin:notifications_channel_add"), form).status_code == 302
    channel = Channel.objects.get()
    assert (channel.min_totals, channel.payment_methods, channel.skip_free_orders) == (
        {"RUB": "1000", "USD": "20.5"}, ["card", "cod"], True,
    )  # fmt: skip

    response = admin_client.post(reverse("admin:notifications_channel_add"), {**form, "min_totals_text": "1000 RUB"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["min_totals_text"] == [
        "1000 RUB is not a currency code and an amount, like RUB 1000."
    ]
