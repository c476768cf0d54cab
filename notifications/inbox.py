"""Queries behind the inbox pages: filtering, counting, marking read."""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Max, QuerySet
from django.utils import timezone

from notifications.models import Level, Notification

FILTERS = ("level", "event_type", "module", "unread")


def active_filters(params: Mapping[str, str]) -> dict[str, str]:
    """Return the filters present in a query string, ignoring unknown or empty values."""
    filters = {name: params.get(name, "").strip() for name in FILTERS}
    if filters["level"] not in Level.values:
        filters["level"] = ""
    if filters["unread"] != "1":
        filters["unread"] = ""
    return {name: value for name, value in filters.items() if value}


def filtered(filters: Mapping[str, str]) -> QuerySet[Notification]:
    """Return notifications matching the filters, newest first."""
    notifications = Notification.objects.all()
    if "level" in filters:
        notifications = notifications.filter(level=filters["level"])
    if "event_type" in filters:
        notifications = notifications.filter(event_type=filters["event_type"])
    if "module" in filters:
        notifications = notifications.filter(source_module=filters["module"])
    if filters.get("unread"):
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created", "-id")


def badge() -> dict[str, int]:
    """Return the unread count and the newest id: what the page polls to refresh its badge."""
    unread = Notification.objects.filter(read_at__isnull=True).count()
    latest = Notification.objects.aggregate(latest=Max("id"))["latest"] or 0
    return {"unread": unread, "latest_id": latest}


def mark_read(notifications: QuerySet[Notification], user: AbstractBaseUser) -> int:
    """Mark unread notifications read by this user; return how many changed."""
    return notifications.filter(read_at__isnull=True).update(read_at=timezone.now(), read_by=user)


def choices(field: str) -> list[str]:
    """Return the distinct values of a field, for the filter menus."""
    return list(Notification.objects.order_by(field).values_list(field, flat=True).distinct())
