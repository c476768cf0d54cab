"""Message templates per order event type: defaults in two languages, staff's own, refused if broken, previewed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.models import Notification
from notifications.texts import render
from shop import rules
from shop.models import MessageTemplate
from tests.shop.factories import StoreFactory
from tests.support.order_events import publish_order_event

pytestmark = pytest.mark.django_db
NBSP = "\xa0"


@pytest.fixture
def store():
    return StoreFactory(name="Ohana Market", slug="ohana", base_url="https://ohana.example")


def test_the_default_new_order_message_names_the_customer_lists_the_items_and_links_the_order(store, settings):
    settings.PUBLIC_BASE_URL = "https://adolf.example"
    notification = publish_order_event(store, customer_note="Позвоните за час")

    assert notification.title == f"Новый заказ #1042 на 7{NBSP}057,00{NBSP}₽"
    assert notification.message == (
        f"Ohana Market: новый оплаченный заказ #1042 на сумму 7{NBSP}057,00{NBSP}₽\n"
        "Покупатель: Анна Смирнова, +7 900 123-45-67, anna@example.com\n"
        "Товары (2):\n"
        "• Худи – синее (Размер: L) × 1\n"
        "• Кружка × 2\n"
        "Оплата: Оплата картой\n"
        "Доставка: Курьер, Москва\n"
        "Комментарий покупателя: Позвоните за час\n"
        "Заказ в магазине: https://ohana.example/wp-admin/admin.php?page=wc-orders&action=edit&id=1042"
    )


def test_the_english_default_reads_the_same_order_in_english(store):
    notification = publish_order_event(store)

    title, message = render(notification, "en")

    assert title == "New order #1042 for RUB7,057.00"
    assert message.splitlines()[:5] == [
        "Ohana Market: new paid order #1042 for RUB7,057.00",
        "Customer: Анна Смирнова, +7 900 123-45-67, anna@example.com",
        "Items (2):",
        "• Худи – синее (Размер: L) × 1",
        "• Кружка × 2",
    ]


@pytest.mark.parametrize("event_type", list(rules.EVENT_TYPES))
@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_event_type_has_a_default_text_naming_the_store_and_the_order(store, event_type, language):
    notification = publish_order_event(store, event_type, status="cancelled", refunded_total="500.00")

    title, message = render(notification, language)

    assert "1042" in title
    assert message.startswith("Ohana Market: ")
    assert "https://ohana.example/wp-admin/" in message


def test_a_legacy_store_links_the_order_on_its_post_page(store):
    store.order_storage = store.OrderStorage.POSTS
    store.save()

    notification = publish_order_event(store)

    assert notification.message.endswith("https://ohana.example/wp-admin/post.php?post=1042&action=edit")


def test_staffs_own_template_is_used_with_every_variable(store, settings):
    settings.PUBLIC_BASE_URL = "https://adolf.example"
    MessageTemplate.objects.create(
        event_type=rules.CANCELLED, language="ru", title="{{ store }} · отмена #{{ number }}",
        message=(
            "{{ status_before }} → {{ status_after }}; {{ total }} ({{ currency }}), возвращено {{ refunded }}; "
            "{{ customer }} / {{ email }} / {{ phone }}; {{ payment_method }}; {{ shipping_method }}, {{ city }}; "
            "{{ customer_note }}; {{ item_count }}: "
            "{% for item in items %}{{ item.name }}×{{ item.quantity }} {% endfor %}"
            "| {{ order_id }} | {{ notification_url }}"
        ),
    )  # fmt: skip

    notification = publish_order_event(
        store, rules.CANCELLED, status="cancelled", from_status="processing", refunded_total="500", customer_note="!"
    )

    assert notification.title == "Ohana Market · отмена #1042"
    assert notification.message == (
        f"Обработка → Отменён; 7{NBSP}057,00{NBSP}₽ (RUB), возвращено 500,00{NBSP}₽; "
        "Анна Смирнова / anna@example.com / +7 900 123-45-67; Оплата картой; Курьер, Москва; "
        "!; 2: Худи – синее×1 Кружка×2 "
        f"| 1042 | https://adolf.example/notifications/{notification.pk}/"
    )


def test_a_template_edited_later_changes_what_is_read_later_not_the_key(store):
    notification = publish_order_event(store)
    key = notification.dedupe_key
    MessageTemplate.objects.create(event_type=rules.NEW, language="ru", title="Заказ {{ number }}", message="-")

    assert render(notification, "ru") == ("Заказ 1042", "-")
    assert Notification.objects.get(pk=notification.pk).dedupe_key == key == f"shop:{store.pk}:1042:shop.order.new:test"


@pytest.mark.parametrize(
    ("field", "source", "error"),
    [
        ("title", "Заказ {% endif %}", "Invalid block tag on line 1: 'endif'"),
        ("message", "{% if total %}без конца", "Unclosed tag"),
        ("message", "{{ total|no_such_filter }}", "Invalid filter: 'no_such_filter'"),
        ("message", "{% include 'secrets.html' %}", "secrets.html"),
    ],
)
def test_a_template_that_does_not_render_is_refused_on_save_with_the_error(admin_client, field, source, error):
    data = {"event_type": rules.NEW, "language": "ru", "title": "Заказ #{{ number }}", "message": "{{ total }}"}
    data[field] = source

    response = admin_client.post(reverse("admin:shop_messagetemplate_add"), data)

    assert response.status_code == 200
    assert error.lower() in " ".join(response.context["adminform"].form.errors[field]).lower()
    assert not MessageTemplate.objects.exists()


def test_a_new_template_starts_from_the_default_text(admin_client):
    page = admin_client.get(reverse("admin:shop_messagetemplate_add") + "?event_type=shop.order.failed&language=en")

    form = page.context["adminform"].form
    assert form.initial["title"] == "Payment failed for order #{{ number }}"
    assert "{{ store }}: payment for order #{{ number }}" in form.initial["message"]


def test_the_preview_renders_against_the_sample_order_and_the_latest_real_event(admin_client, store):
    publish_order_event(store, order_id=77, customer="Oleg &amp; Co")
    template = MessageTemplate.objects.create(
        event_type=rules.NEW, language="en", title="#{{ number }} {{ total }}", message="{{ customer }}"
    )

    page = admin_client.get(reverse("admin:shop_messagetemplate_change", args=[template.pk])).content.decode()

    assert "#1042 RUB7,057.00" in page  # the sample order
    assert "Анна Смирнова" in page
    assert "#77 (Ohana Market)" in page  # the latest real event
    assert "#77 RUB7,057.00" in page
    assert "Oleg &amp;amp; Co" in page  # shown as the store sent it, escaped for the page
    assert "{{ notification_url }}" in page  # the variables are listed
