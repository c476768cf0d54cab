from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = _("Shop order events")

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from shop import checks, operations  # noqa: F401  (registers the shop's settings rules, health probe, gauges)
        from shop.models import Store
        from shop.schedules import delete_schedule

        # A signal, not Store.delete(): queryset deletes (the admin's bulk delete) skip delete().
        post_delete.connect(delete_schedule, sender=Store, dispatch_uid="shop.delete_schedule")
