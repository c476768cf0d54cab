"""The staff inbox: /notifications/, a notification's page, marking read, the unread badge."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from notifications import inbox, texts
from notifications.models import InboxFilter, Level, Notification

PAGE_SIZE = 25


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


@never_cache
@staff_member_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """Show the inbox: this reader's filtered notifications, newest first, a page of PAGE_SIZE, with the menus."""
    filters = inbox.active_filters(request.GET)
    page = Paginator(inbox.filtered(filters, request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    # Each order event in the viewer's language, like the page around it.
    texts.localize(page.object_list, get_language())
    saved = [
        {"filter": saved, "url": f"{reverse('notifications:list')}?{urlencode(saved.filters, doseq=True)}"}
        for saved in InboxFilter.objects.filter(user=request.user)
    ]
    return render(
        request,
        "notifications/inbox/list.html",
        {
            "page": page,
            "filters": filters,
            "hidden_filters": [(name, value) for name, values in filters.items() for value in _values(values)],
            "query": urlencode(filters, doseq=True),
            "levels": Level.choices,
            "event_types": inbox.choices("event_type"),
            "modules": inbox.choices("source_module"),
            "stores": inbox.store_choices(selected=filters.get("store", [])),
            "saved_filters": saved,
            "badge": inbox.badge(request.user),
            "refresh_seconds": settings.NOTIFICATION_INBOX_REFRESH_SECONDS,
        },
    )


def _values(value: str | list[str]) -> list[str]:
    return value if isinstance(value, list) else [value]


@never_cache
@staff_member_required
@require_GET
def notification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one notification whole (its data, who read it, its deliveries) and mark it read by this reader."""
    notification = get_object_or_404(Notification, pk=pk)
    # Opening a notification is reading it.
    inbox.mark_read(Notification.objects.filter(pk=pk), request.user)
    texts.localize([notification], get_language())
    return render(
        request,
        "notifications/inbox/detail.html",
        {
            "notification": notification,
            "reads": notification.reads.select_related("user").order_by("read_at"),
            "data_json": json.dumps(notification.data, ensure_ascii=False, indent=2, sort_keys=True),
            "deliveries": notification.deliveries.select_related("channel").order_by("channel__name"),
            "badge": inbox.badge(request.user),
            "refresh_seconds": settings.NOTIFICATION_INBOX_REFRESH_SECONDS,
        },
    )


@staff_member_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read by this reader (POST) and go back to the page it was marked from."""
    get_object_or_404(Notification, pk=pk)
    inbox.mark_read(Notification.objects.filter(pk=pk), request.user)
    return _back(request, "notifications:list")


@staff_member_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    """Mark read, for me, everything the current filters show."""
    inbox.mark_read(inbox.filtered(inbox.active_filters(request.POST), request.user), request.user)
    return _back(request, "notifications:list")


@never_cache
@staff_member_required
@require_GET
def unread_badge(request: HttpRequest) -> JsonResponse:
    """Return this reader's unread count and the newest notification's id, as JSON, for the badge's polling."""
    return JsonResponse(inbox.badge(request.user))


@staff_member_required
@require_POST
def save_filter(request: HttpRequest) -> HttpResponse:
    """Save the filters posted (the ones the page shows) under a name, for me only."""
    name = request.POST.get("name", "").strip()
    filters = inbox.active_filters(request.POST)
    if name and filters:
        inbox.save_filter(request.user, name, filters)
    return redirect(f"{reverse('notifications:list')}?{urlencode(filters, doseq=True)}")


@staff_member_required
@require_POST
def delete_filter(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete one of my saved filters (another user's is not found)."""
    get_object_or_404(InboxFilter, pk=pk, user=request.user).delete()
    return _back(request, "notifications:list")
