"""What staff read for each order event: the event's snapshot, its template variables, and the rendering.

An order event keeps a snapshot of the order (`snapshot_of`, plain JSON, taken when it is
detected); its notification carries that snapshot in `data` and is rendered from it for
each reader (notifications.texts) — in the inbox in the viewer's language, in each
channel in the channel's — with the store's message templates (shop.models.MessageTemplate,
else shop.default_texts). Money is formatted by Babel for the reader's locale and the
order's currency. Templates are plain text in Django's template language, rendered with
autoescaping off: each channel escapes the text for its own format.
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from babel.core import UnknownLocaleError
from babel.numbers import UnknownCurrencyError, format_currency, format_decimal
from django.conf import settings
from django.template import Context, Engine, Template
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from notifications.texts import Text
from shop.default_texts import DEFAULT_TEXTS

if TYPE_CHECKING:
    from notifications.models import Notification

logger = logging.getLogger(__name__)

RENDERER = "shop.order"
# A snapshot keeps at most this many line items (an order of 1,000 lines would bloat
# every notification); `items_count` keeps the true number.
MAX_SNAPSHOT_ITEMS = 50

# The variables a template may use, with what they hold (shown in the admin).
VARIABLES = {
    "store": _("the store's name"),
    "number": _("the order number as the store shows it"),
    "order_id": _("the order's id in WooCommerce"),
    "status_before": _("the status before the change"),
    "status_after": _("the status after the change"),
    "total": _("the order total, formatted for the reader's language and the order's currency"),
    "refunded": _("the amount refunded so far, formatted likewise"),
    "currency": _("the order's currency code"),
    "customer": _("the customer's name"),
    "email": _("the customer's e-mail"),
    "phone": _("the customer's phone"),
    "payment_method": _("the payment method's title"),
    "shipping_method": _("the shipping method"),
    "city": _("the city the order ships to"),
    "customer_note": _("the customer's note"),
    "items": _("the items: a list of {name, quantity, variation}"),
    "items_text": _("the items, one line each: name (variation) × quantity"),
    "item_count": _("the number of items"),
    "order_admin_url": _("a link to the order in the store's admin"),
    "notification_url": _("a link to the notification in ADOLF"),
}

# WooCommerce's own names of the core statuses; an extension's status shows as its slug.
STATUS_LABELS = {
    "pending": pgettext_lazy("order status", "Pending payment"),
    "processing": pgettext_lazy("order status", "Processing"),
    "on-hold": pgettext_lazy("order status", "On hold"),
    "completed": pgettext_lazy("order status", "Completed"),
    "cancelled": pgettext_lazy("order status", "Cancelled"),
    "refunded": pgettext_lazy("order status", "Refunded"),
    "failed": pgettext_lazy("order status", "Failed"),
    "checkout-draft": pgettext_lazy("order status", "Draft"),
}

# Plain text, never HTML: every channel escapes for itself. No loaders: {% include %} finds nothing.
ENGINE = Engine(autoescape=False, string_if_invalid="")


def snapshot_of(order) -> dict:
    """Return what a notification about the order needs, as plain JSON.

    Shape: number, status, total, currency, refunded_total (refunded_amount; money as strings), customer,
    email, phone, payment_method (its title), payment_method_id, shipping_method, city,
    customer_note, items (the count), line_items ([{name, quantity, variation, total}], at most
    MAX_SNAPSHOT_ITEMS). Texts are decoded (shop.woocommerce.orders).
    """
    return {
        "number": order.number,
        "status": order.status,
        "total": str(order.total),
        "currency": order.currency,
        "refunded_total": str(refunded_amount(order)),
        "customer": order.customer_name,
        "email": getattr(order, "email", ""),
        "phone": getattr(order, "phone", ""),
        "payment_method": getattr(order, "payment_method_title", ""),
        "payment_method_id": getattr(order, "payment_method", ""),
        "shipping_method": getattr(order, "shipping_method", ""),
        "city": getattr(order, "city", ""),
        "customer_note": getattr(order, "customer_note", ""),
        "items": getattr(order, "line_items_count", 0),
        "line_items": [
            {"name": item.name, "quantity": item.quantity, "variation": item.variation, "total": str(item.total)}
            for item in getattr(order, "line_items", ())[:MAX_SNAPSHOT_ITEMS]
        ],
    }


def refunded_amount(order) -> Decimal:
    """Return how much of the order is refunded, as a positive amount, for staff to read.

    The sum of its refunds; but an order in the status `refunded` is refunded in full even
    when it carries no refunds (the MCP adapter's thin orders have none): in WooCommerce
    a full refund moves the order there, and setting the status by hand refunds the rest
    (wc_order_fully_refunded, woocommerce/includes/wc-order-functions.php).
    """
    refunded = order.refunded_total
    if order.status == "refunded" and not refunded:
        return order.total
    return refunded


def money(amount: object, currency: str, language: str) -> str:
    """Format an amount for a reader of `language` in the order's currency (Babel's CLDR data).

    "7057.00", "RUB", "ru" → "7 057,00 ₽"; "en" → "RUB 7,057.00". Not a number: shown as sent.
    """
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return str(amount or "")
    try:
        if re.fullmatch(r"[A-Za-z]{3}", currency or ""):
            return format_currency(value, currency.upper(), locale=language)
        return f"{format_decimal(value, locale=language)} {currency}".strip()
    except (UnknownCurrencyError, UnknownLocaleError, ValueError):
        return f"{value} {currency}".strip()


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def _items_text(items: list[dict[str, Any]]) -> str:
    lines = []
    for item in items:
        variation = f" ({item['variation']})" if item.get("variation") else ""
        lines.append(f"• {item.get('name', '')}{variation} × {item.get('quantity', 1)}")
    return "\n".join(lines)


def context_for(data: dict[str, Any], language: str, *, notification_url: str = "") -> dict[str, Any]:
    """Return the template variables (VARIABLES) of a notification's data, for a reader of `language`.

    `data` has the shape shop.publishing.event_data gives: the snapshot plus store_name,
    order_id, from_status, to_status and order_admin_url. Call inside translation.override.
    """
    currency = str(data.get("currency", ""))
    items = [item for item in data.get("line_items") or [] if isinstance(item, dict)]
    count = data.get("items")
    return {
        "store": data.get("store_name") or data.get("store", ""),
        "number": data.get("number", ""),
        "order_id": data.get("order_id", ""),
        "status_before": status_label(str(data.get("from_status") or "")) or "—",
        "status_after": status_label(str(data.get("to_status") or data.get("status") or "")),
        "total": money(data.get("total", ""), currency, language),
        "refunded": money(data.get("refunded_total", "0"), currency, language),
        "currency": currency,
        "customer": data.get("customer", ""),
        "email": data.get("email", ""),
        "phone": data.get("phone", ""),
        "payment_method": data.get("payment_method", ""),
        "shipping_method": data.get("shipping_method", ""),
        "city": data.get("city", ""),
        "customer_note": data.get("customer_note", ""),
        "items": items,
        "items_text": _items_text(items),
        "item_count": count if isinstance(count, int) and count >= len(items) else len(items),
        "order_admin_url": data.get("order_admin_url", ""),
        "notification_url": notification_url,
    }


@lru_cache(maxsize=256)
def compile_template(source: str) -> Template:
    """Compile a template once per source text; raises TemplateSyntaxError."""
    return ENGINE.from_string(source)


def _tidy(text: str) -> str:
    # Templates leave blank lines where an {% if %} was false: keep at most one.
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def render_source(title: str, message: str, context: dict[str, Any]) -> Text:
    """Render a title and a message template with `context`; raise whatever the template raises."""
    rendered_title = compile_template(title).render(Context(context, autoescape=False))
    rendered_message = compile_template(message).render(Context(context, autoescape=False))
    # A title is one line; no-break spaces (Babel's, inside amounts) stay.
    return Text(re.sub(r"[ \t\r\n]+", " ", rendered_title).strip()[:255], _tidy(rendered_message))


def check_template(source: str, language: str) -> str:
    """Compile and render a template against the sample order; return the text, raise whatever it raises."""
    with translation.override(language):
        return compile_template(source).render(Context(context_for(SAMPLE_DATA, language), autoescape=False))


def default_text(event_type: str, language: str) -> tuple[str, str]:
    """Return the default (title, message) templates of an event type in a language."""
    texts = DEFAULT_TEXTS[event_type]
    return texts.get(language) or texts[settings.LANGUAGE_CODE]


def notification_url(notification: Notification) -> str:
    """Return the notification's page in ADOLF: absolute when PUBLIC_BASE_URL is set."""
    if notification.pk is None:
        return ""
    return settings.PUBLIC_BASE_URL + reverse("notifications:detail", args=[notification.pk])


def render_event(
    event_type: str, data: dict[str, Any], language: str, templates: dict[str, tuple[str, str]], url: str = ""
) -> Text:
    """Render one order event's text with the given templates ({event type: (title, message)}).

    A template that fails to render falls back to the default text, and a title that comes
    out empty for this order (a variable it lacks) to the default title: staff always read
    something, under a title.
    """
    with translation.override(language):
        context = context_for(data, language, notification_url=url)
        default = default_text(event_type, language)
        try:
            text = render_source(*templates.get(event_type, default), context)
        except Exception:
            logger.exception("message template of %s (%s) failed; using the default", event_type, language)
            return render_source(*default, context)
        if not text.title:
            text = Text(render_source(default[0], "", context).title, text.message)
        return text


# A made-up order that uses every variable: templates are checked and previewed against it.
SAMPLE_DATA: dict[str, Any] = {
    "store": "main",
    "store_name": "Ohana Market",
    "order_id": 1042,
    "number": "1042",
    "status": "processing",
    "from_status": "pending",
    "to_status": "processing",
    "total": "7057.00",
    "currency": "RUB",
    "refunded_total": "500.00",
    "customer": "Анна Смирнова",
    "email": "anna@example.com",
    "phone": "+7 900 123-45-67",
    "payment_method": "Оплата картой",
    "payment_method_id": "card",
    "shipping_method": "Курьер",
    "city": "Москва",
    "customer_note": "Позвоните за час до доставки",
    "items": 2,
    "line_items": [
        {"name": "Худи «Ohana» – синее", "quantity": 1, "variation": "Размер: L"},
        {"name": "Кружка", "quantity": 2, "variation": ""},
    ],
    "order_admin_url": "https://shop.example.com/wp-admin/admin.php?page=wc-orders&action=edit&id=1042",
}
