"""Publish recorded order events as notifications: the outbox's consumer.

An event is marked published in the same transaction that writes its notification, and
the notification's dedupe key is the event's, so a redelivered or duplicated task, or a
sweeper racing the after-commit enqueue, publishes each event once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from adolf import metrics
from adolf.logs import log_context
from notifications.publish import Publication, publish, publish_many
from shop.models import OrderEvent
from shop.rules import LEVELS
from shop.texts import RENDERER

logger = logging.getLogger(__name__)

# Events younger than this are left to the enqueue that follows their commit (and to a
# queue that may be busy: re-sending them is harmless, but it is work).
SWEEP_GRACE = timedelta(minutes=2)
BATCH = 100


def publish_events(event_ids: Iterable[int]) -> int:
    """Publish the given events that are still unpublished; return how many were published now.

    All at once (one transaction, publish_many); should that fail, one at a time, so one
    bad event does not hold back the others.
    """
    ids = list(event_ids)
    if len(ids) > 1:
        try:
            return _publish_together(ids)
        except Exception:
            logger.exception("publishing %d order events together failed; publishing them one at a time", len(ids))
    published = 0
    for event_id in ids:
        try:
            published += _publish_one(event_id)
        except Exception:
            # One bad event must not hold back the ones behind it; the sweeper tries it again.
            logger.exception("publishing order event %s failed", event_id)
    return published


def _publish_together(event_ids: list[int]) -> int:
    with transaction.atomic():
        events = list(
            # of=("self",): lock the events only, not the joined store rows a poll may be holding.
            OrderEvent.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("store")
            .filter(pk__in=event_ids, published_at__isnull=True)
            .order_by("pk")
        )
        notify = [event for event in events if event.notify]
        if notify:
            publish_many([_publication(event) for event in notify])
            transaction.on_commit(partial(_count_sent, [event.event_type for event in notify]))
        OrderEvent.objects.filter(pk__in=[event.pk for event in events]).update(published_at=timezone.now())
    return len(events)


def _count_sent(event_types: list[str]) -> None:
    for event_type in event_types:
        metrics.notification_sent(event_type)


def _publish_one(event_id: int) -> int:
    with transaction.atomic():
        event = (
            # of=("self",): lock the event only, not the joined store row a poll may be holding.
            OrderEvent.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("store")
            .filter(pk=event_id, published_at__isnull=True)
            .first()
        )
        if event is None:
            return 0  # published already, or another worker holds it right now
        if event.notify:
            with log_context(store=event.store.slug, order=event.order_id):
                _publish(event)
            transaction.on_commit(lambda event_type=event.event_type: metrics.notification_sent(event_type))
        event.published_at = timezone.now()
        event.save(update_fields=["published_at"])
        return 1


def event_data(event: OrderEvent) -> dict:
    """Return the notification data of an order event: its snapshot (shop.texts.snapshot_of) and where it happened.

    The texts are rendered from this for each reader (shop.rendering), so it holds every
    template variable's source; the dedupe key is the event's, never the rendered text.
    """
    store = event.store
    return {
        **event.snapshot,
        "store": store.slug,
        "store_name": store.name,
        "order_id": event.order_id,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "occurred_at": event.occurred_at.isoformat(),
        "event_id": event.pk,
        "order_admin_url": store.order_admin_url(event.order_id),
    }


def _publish(event: OrderEvent) -> None:
    publication = _publication(event)
    publish(
        publication.event_type,
        "",
        "",
        source_module=publication.source_module,
        source_id=publication.source_id,
        level=publication.level,
        data=publication.data,
        dedupe_key=publication.dedupe_key,
        renderer=publication.renderer,
    )


def _publication(event: OrderEvent) -> Publication:
    """The notification of an order event: its data, the event's dedupe key, rendered per reader."""
    return Publication(
        event_type=event.event_type,
        source_module="shop",
        source_id=f"{event.store.slug}:{event.order_id}",
        level=LEVELS[event.event_type],
        data=event_data(event),
        dedupe_key=f"shop:{event.dedupe_key}",
        renderer=RENDERER,
    )


def unpublished_event_ids(*, now=None) -> list[list[int]]:
    """Return the ids of events left unpublished past the grace period, in batches."""
    cutoff = (now or timezone.now()) - SWEEP_GRACE
    ids = list(
        OrderEvent.objects.filter(published_at__isnull=True, detected_at__lt=cutoff)
        .order_by("detected_at")
        .values_list("pk", flat=True)[: BATCH * 50]
    )
    return [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]
