"""What a reader sees of a notification: its text in the reader's language, rendered by its publisher.

A notification published with its own title and message (a microservice's notice, a
store outage alert) is shown as given. One published with a `renderer` (the shop's order
events) keeps the data to render it again — in the inbox in the viewer's language, in
each channel in the channel's — and its stored title and message are only the rendering
in the default language at the time it was published.

An app above this one registers its renderer from its own module, as operations panels
are registered:

    @renderer("shop.order")
    def render_orders(notifications: list[Notification], language: str) -> list[Text]: ...

A renderer takes a batch (one inbox page) so it can load what it needs once.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from notifications.models import Channel, Notification

logger = logging.getLogger(__name__)

# What a channel that leaves customer contact details out does not send: data keys and
# template variables alike (notifications.Channel.customer_contact).
CONTACT_FIELDS = ("email", "phone")


class Text(NamedTuple):
    title: str
    message: str


Renderer = Callable[[Sequence["Notification"], str], list[Text]]
RENDERERS: dict[str, Renderer] = {}


def renderer(name: str) -> Callable[[Renderer], Renderer]:
    """Register the decorated function as the renderer `name` (a notification's `renderer` field)."""

    def register(function: Renderer) -> Renderer:
        RENDERERS[name] = function
        return function

    return register


def render_all(notifications: Iterable[Notification], language: str) -> list[Text]:
    """Return each notification's (title, message) in `language`, in order.

    A renderer that fails (a bug, a template gone bad) leaves the stored text: the reader
    still reads something, and the error is logged.
    """
    notifications = list(notifications)
    texts = [Text(n.title, n.message) for n in notifications]
    batches: dict[str, list[int]] = {}
    for index, notification in enumerate(notifications):
        if notification.renderer in RENDERERS:
            batches.setdefault(notification.renderer, []).append(index)
    for name, indexes in batches.items():
        try:
            rendered = RENDERERS[name]([notifications[i] for i in indexes], language)
        except Exception:
            logger.exception("renderer %s failed; showing the stored texts", name)
            continue
        for index, text in zip(indexes, rendered, strict=True):
            texts[index] = text
    return texts


def render(notification: Notification, language: str) -> Text:
    """Return one notification's (title, message) in `language`."""
    return render_all([notification], language)[0]


def localize(notifications: Iterable[Notification], language: str) -> list[Notification]:
    """Set each notification's title and message to their `language` rendering (in memory only); return them."""
    notifications = list(notifications)
    for notification, text in zip(notifications, render_all(notifications, language), strict=True):
        notification.title, notification.message = text
    return notifications


def for_channel(notification: Notification, channel: Channel) -> Notification:
    """Return a copy of the notification as this channel sends it: its language, its contact rule."""
    return for_channel_all([notification], channel)[0]


def for_channel_all(notifications: Iterable[Notification], channel: Channel) -> list[Notification]:
    """Return copies of the notifications as this channel sends them, rendered as one batch per renderer."""
    copies = [copy.copy(notification) for notification in notifications]
    for copied in copies:
        if not channel.customer_contact and isinstance(copied.data, dict):
            copied.data = {key: value for key, value in copied.data.items() if key not in CONTACT_FIELDS}
    return localize(copies, channel.language)
