"""The default title and message of each order event, in Russian and English (Django template language).

The seed's Russian titles, grown into messages that name the store, the customer and
what was bought. Staff replace them in the admin (Shop order events → Message
templates); the variables are listed in shop.texts.VARIABLES. Plain text: each channel
escapes it for its own format, so no HTML here.
"""

from __future__ import annotations

from shop import rules

_CUSTOMER_RU = (
    'Покупатель: {{ customer|default:"не указан" }}{% if phone %}, {{ phone }}{% endif %}'
    "{% if email %}, {{ email }}{% endif %}\n"
)
_CUSTOMER_EN = (
    'Customer: {{ customer|default:"not given" }}{% if phone %}, {{ phone }}{% endif %}'
    "{% if email %}, {{ email }}{% endif %}\n"
)
_ITEMS_RU = "{% if items %}Товары ({{ item_count }}):\n{{ items_text }}\n{% endif %}"
_ITEMS_EN = "{% if items %}Items ({{ item_count }}):\n{{ items_text }}\n{% endif %}"
_DELIVERY_RU = (
    "{% if payment_method %}Оплата: {{ payment_method }}\n{% endif %}"
    "{% if shipping_method or city %}Доставка: {{ shipping_method }}{% if shipping_method and city %}, {% endif %}"
    "{{ city }}\n{% endif %}"
    "{% if customer_note %}Комментарий покупателя: {{ customer_note }}\n{% endif %}"
)
_DELIVERY_EN = (
    "{% if payment_method %}Payment: {{ payment_method }}\n{% endif %}"
    "{% if shipping_method or city %}Shipping: {{ shipping_method }}{% if shipping_method and city %}, {% endif %}"
    "{{ city }}\n{% endif %}"
    "{% if customer_note %}Customer's note: {{ customer_note }}\n{% endif %}"
)
_LINK_RU = "{% if order_admin_url %}Заказ в магазине: {{ order_admin_url }}{% endif %}"
_LINK_EN = "{% if order_admin_url %}The order in the store: {{ order_admin_url }}{% endif %}"

# {event type: {language: (title, message)}}
DEFAULT_TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    rules.NEW: {
        "ru": (
            "Новый заказ #{{ number }} на {{ total }}",
            "{{ store }}: новый оплаченный заказ #{{ number }} на сумму {{ total }}\n"
            + _CUSTOMER_RU
            + _ITEMS_RU
            + _DELIVERY_RU
            + _LINK_RU,
        ),
        "en": (
            "New order #{{ number }} for {{ total }}",
            "{{ store }}: new paid order #{{ number }} for {{ total }}\n"
            + _CUSTOMER_EN
            + _ITEMS_EN
            + _DELIVERY_EN
            + _LINK_EN,
        ),
    },
    rules.CANCELLED: {
        "ru": (
            "Заказ #{{ number }} отменён",
            "{{ store }}: заказ #{{ number }} на сумму {{ total }} отменён (был: {{ status_before }})\n"
            + _CUSTOMER_RU
            + _ITEMS_RU
            + _LINK_RU,
        ),
        "en": (
            "Order #{{ number }} cancelled",
            "{{ store }}: order #{{ number }} for {{ total }} was cancelled (it was: {{ status_before }})\n"
            + _CUSTOMER_EN
            + _ITEMS_EN
            + _LINK_EN,
        ),
    },
    rules.REFUNDED: {
        "ru": (
            "Возврат средств по заказу #{{ number }}",
            "{{ store }}: по заказу #{{ number }} возвращено {{ refunded }} из {{ total }}\n" + _CUSTOMER_RU + _LINK_RU,
        ),
        "en": (
            "Order #{{ number }} refunded",
            "{{ store }}: {{ refunded }} of {{ total }} refunded on order #{{ number }}\n" + _CUSTOMER_EN + _LINK_EN,
        ),
    },
    rules.FAILED: {
        "ru": (
            "Ошибка оплаты заказа #{{ number }}",
            "{{ store }}: не удалась оплата заказа #{{ number }} на сумму {{ total }}"
            "{% if payment_method %} ({{ payment_method }}){% endif %}\n" + _CUSTOMER_RU + _ITEMS_RU + _LINK_RU,
        ),
        "en": (
            "Payment failed for order #{{ number }}",
            "{{ store }}: payment for order #{{ number }} of {{ total }} failed"
            "{% if payment_method %} ({{ payment_method }}){% endif %}\n" + _CUSTOMER_EN + _ITEMS_EN + _LINK_EN,
        ),
    },
    rules.PARTIALLY_REFUNDED: {
        "ru": (
            "Частичный возврат по заказу #{{ number }}",
            "{{ store }}: по заказу #{{ number }} возвращено {{ refunded }} из {{ total }}\n" + _CUSTOMER_RU + _LINK_RU,
        ),
        "en": (
            "Partial refund on order #{{ number }}",
            "{{ store }}: {{ refunded }} of {{ total }} refunded so far on order #{{ number }}\n"
            + _CUSTOMER_EN
            + _LINK_EN,
        ),
    },
    rules.ON_HOLD: {
        "ru": (
            "Заказ #{{ number }} ждёт подтверждения оплаты",
            "{{ store }}: заказ #{{ number }} на сумму {{ total }} на удержании до подтверждения оплаты\n"
            + _CUSTOMER_RU
            + _ITEMS_RU
            + _DELIVERY_RU
            + _LINK_RU,
        ),
        "en": (
            "Order #{{ number }} on hold",
            "{{ store }}: order #{{ number }} for {{ total }} awaits confirmation of payment\n"
            + _CUSTOMER_EN
            + _ITEMS_EN
            + _DELIVERY_EN
            + _LINK_EN,
        ),
    },
    rules.COMPLETED: {
        "ru": (
            "Заказ #{{ number }} выполнен",
            "{{ store }}: заказ #{{ number }} на сумму {{ total }} выполнен\n" + _CUSTOMER_RU + _LINK_RU,
        ),
        "en": (
            "Order #{{ number }} completed",
            "{{ store }}: order #{{ number }} for {{ total }} is completed\n" + _CUSTOMER_EN + _LINK_EN,
        ),
    },
}
