"""The deployment's probes (/health/, /health/live) and the staff's status dashboard."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from operations import dashboard, health


def may_see_details(request: HttpRequest) -> bool:
    """Staff (signed in) and holders of HEALTH_TOKEN (`Authorization: Bearer …`) see the health details."""
    if request.user.is_authenticated and request.user.is_staff:
        return True
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    expected = settings.HEALTH_TOKEN
    if not expected or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(token.strip().encode(), expected.encode())


@never_cache
@require_GET
def health_view(request: HttpRequest) -> JsonResponse:
    """Answer 200 with the report when everything is healthy, 503 when anything is not.

    Anyone gets the status and a generic reason per component; staff and token holders
    get the details (which may name hosts, stores and errors).
    """
    report = health.report(detailed=may_see_details(request))
    return JsonResponse(report, status=200 if report["status"] == health.OK else 503)


@never_cache
@require_GET
def live_view(request: HttpRequest) -> JsonResponse:
    """Answer at once, touching nothing: for a liveness probe."""
    return JsonResponse({"status": "alive"})


@staff_member_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    """Show staff every app's panel: store health, order events per hour, and what else is registered."""
    context = {
        **admin.site.each_context(request),
        "title": _("Status"),
        "is_nav_sidebar_enabled": False,
        "panels": dashboard.panels(timezone.now()),
    }
    return render(request, "operations/dashboard.html", context)
