"""Turn channels off and on without losing a notification.

A disabled channel keeps what is published for it: its deliveries wait as *held*. A
channel broken by an error (notifications.transports.Fault.CHANNEL) is disabled once, with
its reason, and one alert goes out through the inbox and the other enabled channels.
Enabling it again sends the held deliveries or drops them, as the operator chooses.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.models import Channel, Delivery, DeliveryStatus, Level
from notifications.outbox import enqueue
from notifications.publish import publish

logger = logging.getLogger(__name__)

CHANNEL_DISABLED = "notifications.channel.disabled"
SEND, DROP = "send", "drop"
DROPPED_REASON = "Dropped when the channel was enabled again"


def hold_pending(channel_ids: Iterable[int]) -> int:
    """Hold the deliveries of these channels that wait for an attempt; return how many."""
    return Delivery.objects.filter(channel_id__in=list(channel_ids), status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.HELD
    )


def kept(channel_ids: Iterable[int]) -> dict[int, int]:
    """Return how many held deliveries each of these channels has (channels without any left out)."""
    rows = (
        Delivery.objects.filter(channel_id__in=list(channel_ids), status=DeliveryStatus.HELD)
        .values_list("channel_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


def disable(channel_ids: Iterable[int], reason: str) -> int:
    """Disable enabled channels by hand, holding what waits for them; return how many were disabled."""
    ids = list(channel_ids)
    with transaction.atomic():
        count = Channel.objects.filter(pk__in=ids, enabled=True).update(
            enabled=False, disabled_reason=reason, disabled_at=timezone.now()
        )
        hold_pending(ids)
    return count


def broken(channel_id: int, reason: str, now: datetime) -> bool:
    """Disable a channel an error showed broken, once; return whether this call disabled it.

    In one transaction: the conditional update (only the first of racing workers wins),
    holding its waiting deliveries, and the alert, so a crash leaves all or none.
    """
    with transaction.atomic():
        if not Channel.objects.filter(pk=channel_id, enabled=True).update(
            enabled=False, disabled_reason=reason, disabled_at=now
        ):
            return False
        hold_pending([channel_id])
        alert(Channel.objects.get(pk=channel_id), reason, now)
    logger.warning("Channel %s disabled: %s", channel_id, reason)
    return True


def alert(channel: Channel, reason: str, now: datetime) -> None:
    """Publish the error notification saying a channel was disabled, why, and what to do.

    It goes to the inbox and to every other enabled channel whose rules take it (never to
    the channel itself: see notifications.routing).
    """
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Channel %(name)s is disabled") % {"name": channel.name}
        message = _(
            "The %(kind)s channel “%(name)s” was disabled after an error that retrying cannot fix: %(reason)s\n"
            "Notifications for it are kept. Fix the cause, then enable the channel in the admin "
            "to send them or drop them."
        ) % {"kind": channel.get_kind_display(), "name": channel.name, "reason": reason}
    publish(
        CHANNEL_DISABLED, title, message, source_module="notifications", source_id=str(channel.pk),
        level=Level.ERROR, data={"channel_id": channel.pk, "channel": channel.name, "reason": reason},
        dedupe_key=f"notifications:channel:{channel.pk}:disabled:{now.isoformat()}",
    )  # fmt: skip


def release_stranded(now: datetime) -> list[int]:
    """Make the held deliveries of enabled channels pending again; return their ids, for the caller to dispatch.

    `enable` sends or drops what is held in its own transaction; a delivery held by a
    publisher or a worker that read the channel as disabled just before `enable` committed
    lands after it, where nothing would look again. A held delivery of an enabled channel
    is always such a one (held and disabled are written together): it is sent, afresh.
    """
    with transaction.atomic():
        stranded = Delivery.objects.select_for_update().filter(status=DeliveryStatus.HELD, channel__enabled=True)
        ids = list(stranded.values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=ids).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, last_error=""
        )
    return ids


@dataclass(frozen=True)
class Enabled:
    """What enabling channels did: channels enabled, held deliveries queued and dropped."""

    channels: int
    sent: int
    dropped: int


def enable(channel_ids: Iterable[int], *, held: str) -> Enabled:
    """Enable channels and send (SEND) or drop (DROP) the deliveries held for them.

    Sent ones start afresh: due now, with the whole attempt budget.
    """
    if held not in (SEND, DROP):
        raise ValueError(f"held must be {SEND!r} or {DROP!r}, not {held!r}")
    ids = list(channel_ids)
    now = timezone.now()
    with transaction.atomic():
        count = Channel.objects.filter(pk__in=ids).update(enabled=True, disabled_reason="", disabled_at=None)
        waiting = Delivery.objects.select_for_update().filter(channel_id__in=ids, status=DeliveryStatus.HELD)
        held_ids = list(waiting.values_list("pk", flat=True))
        rows = Delivery.objects.filter(pk__in=held_ids)
        if held == SEND:
            rows.update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, last_error="")
            transaction.on_commit(lambda: enqueue(held_ids))
            return Enabled(count, len(held_ids), 0)
        rows.update(status=DeliveryStatus.DROPPED, last_error=DROPPED_REASON)
        return Enabled(count, 0, len(held_ids))
