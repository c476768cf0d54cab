"""Which channels a notification goes to: each channel's level, event-type, module and store rules,
and its conditions on the order the notification is about."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fnmatch import fnmatchcase

from notifications.models import LEVEL_RANK, Channel, Notification


def _allowed(value: str, rules: list[str], *, patterns: bool = False) -> bool:
    if not rules:
        return True
    if patterns:
        return any(fnmatchcase(value, rule) for rule in rules)
    return value in rules


def _amount(value: object) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def order_conditions_pass(channel: Channel, notification: Notification) -> bool:
    """Say whether the order a notification is about meets the channel's order conditions.

    A notification about no order (an outage alert, a microservice's notice) passes them
    all, as does every order while the conditions are empty. The order's keys in `data`
    (`total`, `currency`, `payment_method_id`, `payment_method` — its title) are what the shop
    publishes (shop.texts.snapshot_of).
    """
    if not notification.is_about_an_order:
        return True
    data = notification.data
    total = _amount(data.get("total"))
    if channel.skip_free_orders and total is not None and total <= 0:
        return False
    minimum = _amount((channel.min_totals or {}).get(str(data.get("currency", "")).upper()))
    if minimum is not None and (total is None or total < minimum):
        return False
    if channel.payment_methods:
        accepted = {method.casefold() for method in channel.payment_methods}
        paid_with = {str(data.get(key, "")).casefold() for key in ("payment_method_id", "payment_method")}
        if not accepted & paid_with:
            return False
    return True


def matches(channel: Channel, notification: Notification) -> bool:
    """Say whether the channel's rules let the notification through (an empty rule allows all)."""
    return (
        LEVEL_RANK[notification.level] >= LEVEL_RANK[channel.min_level]
        and _allowed(notification.event_type, channel.event_types, patterns=True)
        and _allowed(notification.source_module, channel.source_modules)
        # "By store" rules only pass events that name one of their stores.
        and (not channel.stores or notification.store in channel.stores)
        and order_conditions_pass(channel, notification)
        # An alert about a channel (it was disabled) never goes out through that channel.
        and not _about(channel, notification)
    )


def _about(channel: Channel, notification: Notification) -> bool:
    about = notification.data.get("channel_id") if isinstance(notification.data, dict) else None
    return about is not None and about == channel.pk


def channels_for(notification: Notification) -> list[Channel]:
    """Return the channels whose rules match, enabled or not (a disabled one's delivery is held for it)."""
    return [channel for channel in Channel.objects.all() if matches(channel, notification)]
