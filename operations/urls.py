from django.urls import path

from operations.exposition import metrics_view
from operations.views import dashboard_view, health_view, live_view

urlpatterns = [
    path("dashboard/", dashboard_view, name="dashboard"),
    path("health/", health_view, name="health"),
    path("health/live", live_view, name="health-live"),
    path("metrics", metrics_view, name="metrics"),
]
