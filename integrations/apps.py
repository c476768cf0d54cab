from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    """The microservice tasks app: services, their submissions and callbacks, periodic tasks."""

    name = "integrations"
    verbose_name = _("Microservice tasks")

    def ready(self) -> None:
        from integrations import operations  # noqa: F401  (registers the services' dashboard panel and counters)
