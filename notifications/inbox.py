"""Queries behind the inbox pages: filtering, counting and marking read, each for one reader.

Every staff user sees every notification; what is read, and the saved filters, are theirs.
Filters have one shape everywhere (query strings, saved filters): {"level": str,
"event_type": [str], "module": [str], "store": [str], "unread": "1"}, a key only when set.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import Exists, Max, OuterRef, QuerySet, Subquery
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


# The filter menus list at most this many values each: past it a menu is no help anyway.
MENU_LIMIT = 200
# Stores are read from the newest notifications only: `data` has no index to skip through.
STORE_WINDOW = 5000
INDEXED_MENUS = ("event_type", "source_module")  # columns with a B-tree index of their own


def choices(field: str, *, limit: int = MENU_LIMIT) -> list[str]:
    """Return the distinct values of an indexed column (event_type, source_module), sorted, for the filter menus.

    One query that skips through the column's index, one probe per value found (a "loose
    index scan", as PostgreSQL's wiki names it), instead of a DISTINCT over every
    notification: it costs the number of values × log(rows), whatever the table's size.
    Raises ValueError for a column without an index of its own.
    """
    if field not in INDEXED_MENUS:
        raise ValueError(f"{field!r} is not one of {', '.join(INDEXED_MENUS)}")
    quote = connection.ops.quote_name
    table, column = quote(Notification._meta.db_table), quote(field)
    sql = f"""
        WITH RECURSIVE found(value, n) AS (
            (SELECT {column}, 1 FROM {table} ORDER BY {column} LIMIT 1)
            UNION ALL
            SELECT (SELECT {column} FROM {table} WHERE {column} > found.value ORDER BY {column} LIMIT 1), n + 1
            FROM found WHERE found.value IS NOT NULL AND n < %s
        )
        SELECT value FROM found WHERE value IS NOT NULL
    """  # noqa: S608 -- table and column are the model's own names, quoted; the limit is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, [limit])
        return [value for (value,) in cursor.fetchall()]


def store_choices(*, selected: Iterable[str] = (), window: int = STORE_WINDOW) -> list[str]:
    """Return the store slugs the newest `window` notifications name, and `selected` ones, sorted.

    Bounded: `data` has no index, so a DISTINCT over every notification would read the whole
    table on each page load. A store silent for longer still filters by its URL or a saved
    filter, and stays in the menu while it is selected.
    """
    newest = Notification.objects.order_by("-id").values("id")[:window]
    stores = (
        Notification.objects.filter(id__in=Subquery(newest))
        .exclude(data__store=None)
        .values_list("data__store", flat=True)
        .distinct()
    )
    found = {str(store) for store in stores[:MENU_LIMIT] if store not in (None, "")}
    return sorted(found | {str(store) for store in selected if str(store)})


def save_filter(user: AbstractBaseUser, name: str, filters: Mapping[str, Any]) -> InboxFilter:
    """Save (or replace) this user's filter under `name`."""
    saved, _ = InboxFilter.objects.update_or_create(
        user=user, name=name.strip()[:60], defaults={"filters": active_filters(filters)}
    )
    return saved
