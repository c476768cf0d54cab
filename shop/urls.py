from django.urls import path

from shop import views

app_name = "shop"

urlpatterns = [
    path("webhooks/<str:token>/", views.receive_webhook, name="webhook"),
]
