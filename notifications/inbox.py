"""Queries behind the inbox pages: filtering, counting and marking read, each for one reader.

Every staff user sees every notification; what is read, and the saved filters, are theirs.
Filters have one shape everywhere (query strings, saved filters): {"level": str,
"event_type": [str], "module": [str], "store": [str], "unread": "1"}, a key only when set.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, Max, OuterRef, QuerySet
from django.http import QueryDict
from django.utils import timezone

from notifications.models import InboxFilter, Level, Notification, NotificationRead

LISTS = ("event_type", "module", "store")
FILTERS = ("level", *LISTS, "unread")


def active_filters(params: Mapping[str, Any]) -> dict[str, Any]:
    """Return the filters present in a query string (or a saved filter), ignoring unknown or empty values."""
    filters: dict[str, Any] = {}
    level = str(params.get("level") or "").strip()
    if level in Level.values:
        filters["level"] = level
    for name in LISTS:
        if isinstance(params, QueryDict):
            values = params.getlist(name)
        else:
            raw = params.get(name) or []
            values = raw if isinstance(raw, list) else [raw]
        values = sorted({str(value).strip() for value in values if str(value).strip()})
        if values:
            filters[name] = values
    if str(params.get("unread") or "") == "1":
        filters["unread"] = "1"
    return filters


def with_read_state(notifications: QuerySet[Notification], user: AbstractBaseUser) -> QuerySet[Notification]:
    """Annotate `is_read`: whether this user has read each notification."""
    return notifications.annotate(
        is_read=Exists(NotificationRead.objects.filter(notification=OuterRef("pk"), user=user))
    )


def filtered(filters: Mapping[str, Any], user: AbstractBaseUser) -> QuerySet[Notification]:
    """Return the notifications matching the filters for this reader, newest first, with `is_read`."""
    notifications = with_read_state(Notification.objects.all(), user)
    if "level" in filters:
        notifications = notifications.filter(level=filters["level"])
    if "event_type" in filters:
        notifications = notifications.filter(event_type__in=filters["event_type"])
    if "module" in filters:
        notifications = notifications.filter(source_module__in=filters["module"])
    if "store" in filters:
        notifications = notifications.filter(data__store__in=filters["store"])
    if filters.get("unread"):
        notifications = notifications.filter(is_read=False)
    return notifications.order_by("-created", "-id")


def badge(user: AbstractBaseUser) -> dict[str, int]:
    """Return this reader's unread count and the newest id: what the page polls to refresh its badge."""
    unread = with_read_state(Notification.objects.all(), user).filter(is_read=False).count()
    latest = Notification.objects.aggregate(latest=Max("id"))["latest"] or 0
    return {"unread": unread, "latest_id": latest}


def mark_read(notifications: QuerySet[Notification], user: AbstractBaseUser) -> int:
    """Mark the notifications read by this user (others' read state is untouched); return how many changed."""
    unread = with_read_state(notifications, user).filter(is_read=False).values_list("pk", flat=True)
    now = timezone.now()
    created = NotificationRead.objects.bulk_create(
        [NotificationRead(notification_id=pk, user=user, read_at=now) for pk in unread],
        ignore_conflicts=True,  # a second tab marking the same ones at once
    )
    return len(created)


def choices(field: str) -> list[str]:
    """Return the distinct values of a field, for the filter menus."""
    return list(Notification.objects.order_by(field).values_list(field, flat=True).distinct())


def store_choices() -> list[str]:
    """Return the store slugs notifications name, for the filter menu."""
    stores = Notification.objects.exclude(data__store=None).values_list("data__store", flat=True).distinct()
    return sorted({str(store) for store in stores if store not in (None, "")})


def save_filter(user: AbstractBaseUser, name: str, filters: Mapping[str, Any]) -> InboxFilter:
    """Save (or replace) this user's filter under `name`."""
    saved, _ = InboxFilter.objects.update_or_create(
        user=user, name=name.strip()[:60], defaults={"filters": active_filters(filters)}
    )
    return saved
