from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from adolf.exposition import metrics_view
from adolf.views import dashboard_view, health_view, live_view

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/tasks/", include("integrations.urls")),
    path("notifications/", include("notifications.urls")),
    path("dashboard/", dashboard_view, name="dashboard"),
    path("health/", health_view, name="health"),
    path("health/live", live_view, name="health-live"),
    path("metrics", metrics_view, name="metrics"),
    path("shop/", include("shop.urls")),
]
