"""The deployment's probes (/health/, /health/live) and the staff's status dashboard."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from adolf import dashboard, health


@never_cache
@require_GET
def health_view(request: HttpRequest) -> JsonResponse:
    """Answer 200 with the report when everything is healthy, 503 when anything is not."""
    report = health.report()
    return JsonResponse(report, status=200 if report["status"] == health.OK else 503)


@never_cache
@require_GET
def live_view(request: HttpRequest) -> JsonResponse:
    """Answer at once, touching nothing: for a liveness probe."""
    return JsonResponse({"status": "alive"})


@staff_member_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    """Show staff each store's health and the order events of the last 24 hours and 7 days."""
    charts = [
        dashboard.chart(_("Order events per hour, last 24 hours"), dashboard.events_per_hour(24)),
        dashboard.chart(_("Order events per hour, last 7 days"), dashboard.events_per_hour(24 * 7)),
    ]
    context = {
        **admin.site.each_context(request),
        "title": _("Status"),
        "is_nav_sidebar_enabled": False,
        "stores": dashboard.store_health(),
        "charts": charts,
    }
    return render(request, "adolf/dashboard.html", context)
