from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("unread.json", views.unread_badge, name="unread"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
    path("filters/", views.save_filter, name="save_filter"),
    path("filters/<int:pk>/delete/", views.delete_filter, name="delete_filter"),
    path("<int:pk>/", views.notification_detail, name="detail"),
    path("<int:pk>/read/", views.mark_read, name="mark_read"),
]
