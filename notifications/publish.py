"""Publish a notification: the row and its deliveries in one transaction, dispatched after commit."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from notifications import texts
from notifications.models import Channel, Delivery, DeliveryStatus, Level, Notification
from notifications.outbox import announce
from notifications.routing import channels_for, matches


class PublishError(ValueError):
    """The notification is malformed; nothing was written."""


def default_dedupe_key(
    event_type: str, title: str, message: str, source_module: str, source_id: str, level: str, data: dict[str, Any]
) -> str:
    """Return a key that makes the same publish call, repeated, one notification.

    Everything the caller passed is in it, so a retried call is recognised while a later,
    different event of the same source is not mistaken for it. Events that may repeat
    identically (an order cancelled twice) need an explicit dedupe_key naming the occurrence.
    """
    raw = json.dumps([event_type, title, message, source_module, source_id, level, data], sort_keys=True)
    return "sha256:" + hashlib.sha256(raw.encode()).hexdigest()


def _check_length(name: str, value: str) -> None:
    limit = Notification._meta.get_field(name).max_length
    if len(value) > limit:
        raise PublishError(f"{name} is longer than {limit} characters")


def _validate(
    event_type: str,
    title: str,
    source_module: str,
    source_id: str,
    level: str,
    data: Any,
    dedupe_key: str | None,
    renderer: str = "",
) -> None:
    for name, value in (("event_type", event_type), ("source_module", source_module), ("source_id", source_id)):
        _check_length(name, value)
    if dedupe_key is not None:
        _check_length("dedupe_key", dedupe_key)
    if not event_type.strip():
        raise PublishError("event_type is empty")
    if renderer and renderer not in texts.RENDERERS:
        raise PublishError(f"renderer {renderer!r} is not registered")
    if not title.strip() and not renderer:
        raise PublishError("title is empty")
    if not source_module.strip():
        raise PublishError("source_module is empty")
    if level not in Level.values:
        raise PublishError(f"level {level!r} is not one of: {', '.join(Level.values)}")
    if not isinstance(data, dict):
        raise PublishError(f"data must be a JSON object, not {type(data).__name__}")
    try:
        json.dumps(data)
    except (TypeError, ValueError) as exc:
        raise PublishError(f"data is not JSON-serialisable: {exc}") from None


def publish(
    event_type: str,
    title: str,
    message: str,
    source_module: str,
    source_id: str = "",
    level: str = Level.INFO,
    data: dict[str, Any] | None = None,
    *,
    dedupe_key: str | None = None,
    renderer: str = "",
) -> Notification:
    """Record a notification once per dedupe key and queue its deliveries; return the notification.

    Every channel whose rules match gets a delivery; a disabled channel's is held for it.

    Publishing the same key again returns the first notification and sends nothing more;
    without a key, the same call repeated is recognised (see default_dedupe_key).
    Called inside the caller's transaction, it commits (and dispatches) with it.

    `renderer` names a registered renderer (notifications.texts) that writes the title and
    message from `data` for each reader; the stored ones are then its rendering in the
    default language, and `title`/`message` may be empty. Raises PublishError on bad input.
    """
    data = {} if data is None else data
    source_id = str(source_id)
    _validate(event_type, title, source_module, source_id, level, data, dedupe_key, renderer)
    key = dedupe_key or default_dedupe_key(event_type, title, message, source_module, source_id, level, data)
    existing = Notification.objects.filter(dedupe_key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                event_type=event_type, title=title[:255], message=message, source_module=source_module,
                source_id=source_id, level=level, data=data, dedupe_key=key, renderer=renderer,
            )  # fmt: skip
            if renderer:
                # Rendered once the row has its id: the text may link to the notification.
                title, message = texts.render(notification, settings.LANGUAGE_CODE)
                notification.title, notification.message = title[:255], message
                notification.save(update_fields=["title", "message"])
            # A disabled channel's delivery is held for it: sent or dropped when it is enabled again.
            deliveries = Delivery.objects.bulk_create(
                [
                    Delivery(
                        notification=notification, channel=channel,
                        status=DeliveryStatus.PENDING if channel.enabled else DeliveryStatus.HELD,
                    )
                    for channel in channels_for(notification)
                ]
            )  # fmt: skip
    except IntegrityError:
        # A concurrent publisher of the same key committed first: that one is the notification.
        return Notification.objects.get(dedupe_key=key)
    ids = [delivery.pk for delivery in deliveries if delivery.status == DeliveryStatus.PENDING]
    if ids:
        # If this process dies between commit and enqueue, the sweeper sends them.
        transaction.on_commit(lambda: announce(ids))
    return notification


@dataclass(frozen=True)
class Publication:
    """One notification for publish_many: publish()'s arguments, the dedupe key and renderer included."""

    event_type: str
    source_module: str
    source_id: str = ""
    level: str = Level.INFO
    data: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    message: str = ""
    dedupe_key: str | None = None
    renderer: str = ""

    def key(self) -> str:
        """Return the dedupe key publish() would use for it."""
        return self.dedupe_key or default_dedupe_key(
            self.event_type, self.title, self.message, self.source_module, str(self.source_id), self.level, self.data
        )


def publish_many(publications: Sequence[Publication]) -> list[Notification]:
    """Publish many notifications as publish() would each, in a constant number of queries; return them in order.

    The same rows as publish() — each notification once per dedupe key, a delivery for every
    channel whose rules match (held for a disabled channel), rendered texts — written with
    one bulk insert each and committed with the caller's transaction; the channels and each
    renderer's templates are loaded once. A key published already returns that notification
    and sends nothing more. Raises PublishError (naming the publication) on bad input,
    with nothing written. A concurrent publisher of one of the keys makes this fall back to
    publish() one at a time, which settles each key.
    """
    for index, item in enumerate(publications):
        try:
            _validate(
                item.event_type, item.title, item.source_module, str(item.source_id), item.level, item.data,
                item.dedupe_key, item.renderer,
            )  # fmt: skip
        except PublishError as exc:
            raise PublishError(f"publication {index}: {exc}") from None
    keys = [item.key() for item in publications]
    existing = {n.dedupe_key: n for n in Notification.objects.filter(dedupe_key__in=keys)}
    new: dict[str, Notification] = {}
    for item, key in zip(publications, keys, strict=True):
        if key not in existing and key not in new:
            new[key] = Notification(
                event_type=item.event_type, title=item.title[:255], message=item.message,
                source_module=item.source_module, source_id=str(item.source_id), level=item.level, data=item.data,
                dedupe_key=key, renderer=item.renderer,
            )  # fmt: skip
    if not new:
        return [existing[key] for key in keys]
    try:
        with transaction.atomic():
            created = Notification.objects.bulk_create(list(new.values()))
            # Rendered once the rows have their ids: the text may link to the notification.
            rendered = [n for n in created if n.renderer]
            for notification, text in zip(rendered, texts.render_all(rendered, settings.LANGUAGE_CODE), strict=True):
                notification.title, notification.message = text.title[:255], text.message
            if rendered:
                Notification.objects.bulk_update(rendered, ["title", "message"])
            channels = list(Channel.objects.all())
            # A disabled channel's delivery is held for it: sent or dropped when it is enabled again.
            deliveries = Delivery.objects.bulk_create(
                [
                    Delivery(
                        notification=notification, channel=channel,
                        status=DeliveryStatus.PENDING if channel.enabled else DeliveryStatus.HELD,
                    )
                    for notification in created
                    for channel in channels
                    if matches(channel, notification)
                ]
            )  # fmt: skip
    except IntegrityError:
        # A concurrent publisher of one of the keys committed first: settle each key alone.
        return [_publish_one(item, key) for item, key in zip(publications, keys, strict=True)]
    ids = [delivery.pk for delivery in deliveries if delivery.status == DeliveryStatus.PENDING]
    if ids:
        # If this process dies between commit and enqueue, the sweeper sends them.
        transaction.on_commit(lambda: announce(ids))
    return [existing.get(key) or new[key] for key in keys]


def _publish_one(item: Publication, key: str) -> Notification:
    return publish(
        item.event_type, item.title, item.message, item.source_module, item.source_id, item.level, item.data,
        dedupe_key=key, renderer=item.renderer,
    )  # fmt: skip


class NotificationPublisher:
    """The seed's publisher interface, for callers written against it: publish() as a method."""

    publish = staticmethod(publish)
