"""Render order-event notifications for each reader, and preview message templates in the admin.

Registered with notifications.texts as the renderer "shop.order" (imported by ShopConfig.ready).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils import translation

from notifications.texts import Text, renderer
from shop import texts
from shop.default_texts import DEFAULT_TEXTS
from shop.models import MessageTemplate, OrderEvent
from shop.publishing import event_data

if TYPE_CHECKING:
    from notifications.models import Notification


@renderer(texts.RENDERER)
def render_notifications(notifications: Sequence[Notification], language: str) -> list[Text]:
    """Render order-event notifications for a reader of `language`, loading that language's templates once."""
    templates = MessageTemplate.texts(language)
    return [
        texts.render_event(n.event_type, n.data, language, templates, texts.notification_url(n))
        if n.event_type in DEFAULT_TEXTS and isinstance(n.data, dict)
        else Text(n.title, n.message)
        for n in notifications
    ]


def latest_event(event_type: str) -> OrderEvent | None:
    """Return the most recent recorded event of this type (what "preview on a real event" renders)."""
    return OrderEvent.objects.filter(event_type=event_type).select_related("store").order_by("-detected_at").first()


def preview(template: MessageTemplate) -> list[tuple[str, Text | str]]:
    """Render a template against the sample order and the latest real event of its type.

    Returns [(what, Text or the error text)]: the sample always, the real event when there is one.
    """
    cases: list[tuple[str, dict]] = [("sample", texts.SAMPLE_DATA)]
    event = latest_event(template.event_type)
    if event is not None:
        cases.append((f"#{event.order_number} ({event.store.name})", event_data(event)))
    results: list[tuple[str, Text | str]] = []
    for what, data in cases:
        try:
            with translation.override(template.language):
                context = texts.context_for(data, template.language)
                results.append((what, texts.render_source(template.title, template.message, context)))
        except Exception as exc:  # shown to the editor, as the save would refuse it
            results.append((what, f"{type(exc).__name__}: {exc}"))
    return results
