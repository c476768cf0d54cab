from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = _("Shop order events")

    def ready(self) -> None:
        from shop import operations  # noqa: F401  (registers the shop's health probe, gauges, panels)
