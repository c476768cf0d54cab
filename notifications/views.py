"""The staff inbox: /notifications/, a notification's page, marking read, the unread badge."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from notifications import inbox
from notifications.models import Level, Notification

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
    filters = inbox.active_filters(request.GET)
    page = Paginator(inbox.filtered(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox/list.html",
        {
            "page": page,
            "filters": filters,
            "query": urlencode(filters),
            "levels": Level.choices,
            "event_types": inbox.choices("event_type"),
            "modules": inbox.choices("source_module"),
            "badge": inbox.badge(),
            "refresh_seconds": settings.NOTIFICATION_INBOX_REFRESH_SECONDS,
        },
    )


@never_cache
@staff_member_required
@require_GET
def notification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification.objects.select_related("read_by"), pk=pk)
    # Opening a notification is reading it.
    inbox.mark_read(Notification.objects.filter(pk=pk), request.user)
    notification.refresh_from_db()
    return render(
        request,
        "notifications/inbox/detail.html",
        {
            "notification": notification,
            "data_json": json.dumps(notification.data, ensure_ascii=False, indent=2, sort_keys=True),
            "deliveries": notification.deliveries.select_related("channel").order_by("channel__name"),
            "badge": inbox.badge(),
            "refresh_seconds": settings.NOTIFICATION_INBOX_REFRESH_SECONDS,
        },
    )


@staff_member_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(Notification, pk=pk)
    inbox.mark_read(Notification.objects.filter(pk=pk), request.user)
    return _back(request, "notifications:list")


@staff_member_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    """Mark read everything the current filters show."""
    inbox.mark_read(inbox.filtered(inbox.active_filters(request.POST)), request.user)
    return _back(request, "notifications:list")


@never_cache
@staff_member_required
@require_GET
def unread_badge(request: HttpRequest) -> JsonResponse:
    return JsonResponse(inbox.badge())
