"""Which channels a notification goes to: each channel's level, event-type, module and store rules."""

from __future__ import annotations

from fnmatch import fnmatchcase

from notifications.models import LEVEL_RANK, Channel, Notification


def _allowed(value: str, rules: list[str], *, patterns: bool = False) -> bool:
    if not rules:
        return True
    if patterns:
        return any(fnmatchcase(value, rule) for rule in rules)
    return value in rules


def matches(channel: Channel, notification: Notification) -> bool:
    """Say whether the channel's rules let the notification through (an empty rule allows all)."""
    return (
        LEVEL_RANK[notification.level] >= LEVEL_RANK[channel.min_level]
        and _allowed(notification.event_type, channel.event_types, patterns=True)
        and _allowed(notification.source_module, channel.source_modules)
        # "By store" rules only pass events that name one of their stores.
        and (not channel.stores or notification.store in channel.stores)
        # An alert about a channel (it was disabled) never goes out through that channel.
        and not _about(channel, notification)
    )


def _about(channel: Channel, notification: Notification) -> bool:
    about = notification.data.get("channel_id") if isinstance(notification.data, dict) else None
    return about is not None and about == channel.pk


def channels_for(notification: Notification) -> list[Channel]:
    """Return the channels whose rules match, enabled or not (a disabled one's delivery is held for it)."""
    return [channel for channel in Channel.objects.all() if matches(channel, notification)]
