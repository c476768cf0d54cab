"""A notification always has a title: a template whose title renders to nothing is refused, or falls back.

A title is the Telegram message's bold line, the e-mail's subject and the inbox's link;
a notification published with its own text must have one (notifications.publish), and
so must one an order event's template writes.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.texts import render
from shop import rules
from shop.models import MessageTemplate
from tests.shop.factories import StoreFactory
from tests.support.order_events import publish_order_event

pytestmark = pytest.mark.django_db


def test_a_title_that_renders_to_nothing_for_the_sample_order_is_refused_on_save(admin_client):
    data = {"event_type": rules.NEW, "language": "ru", "title": "{{ no_such_variable }}", "message": "{{ total }}"}

    response = admin_client.post(reverse("admin:shop_messagetemplate_add"), data, headers={"Accept-Language": "en"})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["title"] == [
        "This title is empty for the sample order: use variables every order has, like {{ number }}."
    ]
    assert not MessageTemplate.objects.exists()


def test_a_title_empty_for_one_order_falls_back_to_the_default_title():
    store = StoreFactory(name="Ohana Market")
    MessageTemplate.objects.create(event_type=rules.NEW, language="ru", title="{{ customer }}", message="{{ total }}")

    notification = publish_order_event(store, customer="")  # the MCP adapter's orders name no customer

    assert notification.title == "Новый заказ #1042 на 7\xa0057,00\xa0₽"
    assert notification.message == "7\xa0057,00\xa0₽"
    assert render(notification, "ru").title == "Новый заказ #1042 на 7\xa0057,00\xa0₽"
