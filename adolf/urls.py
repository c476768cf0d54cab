from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

# The admin is ADOLF's operations console: it says so, not "Django administration".
admin.site.site_header = "ADOLF"
admin.site.site_title = "ADOLF"
admin.site.index_title = _("Operations console")

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/tasks/", include("integrations.urls")),
    path("notifications/", include("notifications.urls")),
    path("shop/", include("shop.urls")),
    path("", include("operations.urls")),
]
