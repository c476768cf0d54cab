from django.apps import AppConfig


class AdolfConfig(AppConfig):
    name = "adolf"
    verbose_name = "ADOLF"
