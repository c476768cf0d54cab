from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Microservice tasks")

    def ready(self) -> None:
        from adolf import metrics
        from adolf.celery import SERVICE_QUEUES
        from integrations.api import OUTCOMES

        # Every service's submissions at zero from the first scrape.
        metrics.start_at_zero(metrics.TASK_SUBMISSIONS, service=SERVICE_QUEUES, outcome=OUTCOMES)
