from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = _("Shop order events")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from shop import (
            checks,  # noqa: F401  (registers the shop's rules between settings)
            operations,  # noqa: F401  (registers the shop's health probe, gauges, panels)
            rendering,  # noqa: F401  (registers the order events' renderer)
        )
        from shop.environment import sync_after_migrate

        # Every `migrate` (compose's migrate service, `make run`) brings the environment's store up to date.
        post_migrate.connect(sync_after_migrate, sender=self, dispatch_uid="shop.sync_env_store")
