"""What the task service adds to /dashboard/: submissions and callback outcomes per microservice, 24 hours.

And, at start-up, every service's submission counters at zero for each outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q
from django_celery_results.models import TaskResult

from adolf import metrics
from adolf.celery import SERVICE_QUEUES
from integrations.api import OUTCOMES
from integrations.models import Service, TaskSubmission
from operations.registry import registry

metrics.start_at_zero(metrics.TASK_SUBMISSIONS, service=SERVICE_QUEUES, outcome=OUTCOMES)

# Celery's task states a callback task ends in (or is in), as django-celery-results records them.
STATES = ("SUCCESS", "RETRY", "FAILURE")


@dataclass
class ServiceActivity:
    """A row of the services table: one microservice's last 24 hours."""

    name: str
    enabled: bool | None  # None: not registered in the admin
    submitted: int = 0  # tasks it submitted over the API
    queued: int = 0  # of those, handed to the broker
    outcomes: dict[str, int] = field(default_factory=dict)  # Celery state → tasks

    @property
    def cells(self) -> list[tuple[str, int]]:
        """The row's cells in STATES order: (state, count of the last 24 hours)."""
        return [(state, self.outcomes.get(state, 0)) for state in STATES]


def service_activity(since: datetime) -> list[ServiceActivity]:
    """Return each service's submissions and its tasks' outcomes since `since`, registered services first.

    Outcomes are the tasks' results (django-celery-results, `date_done` is the last state
    change): a task that called its service back successfully is SUCCESS, one waiting to
    try again RETRY, one that gave up or was refused FAILURE.
    """
    rows = {
        service.name: ServiceActivity(service.name, service.enabled) for service in Service.objects.order_by("name")
    }
    for name in SERVICE_QUEUES:
        rows.setdefault(name, ServiceActivity(name, None))
    for name, submitted, queued in (
        TaskSubmission.objects.filter(created_at__gte=since)
        .values_list("service__name")
        .annotate(n=Count("pk"), queued=Count("pk", filter=Q(published_at__isnull=False)))
        .order_by()
    ):
        row = rows.setdefault(name, ServiceActivity(name, None))
        row.submitted, row.queued = submitted, queued
    prefixes = tuple(f"{name}." for name in rows)
    for task_name, state, n in (
        TaskResult.objects.filter(date_done__gte=since, status__in=STATES)
        .values_list("task_name", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        if task_name and task_name.startswith(prefixes):
            outcomes = rows[task_name.split(".", 1)[0]].outcomes
            outcomes[state] = outcomes.get(state, 0) + n
    return list(rows.values())


@registry.dashboard_panel("services", template="integrations/dashboard/services.html")
def services_panel(now: datetime) -> dict[str, Any]:
    """Submissions and callback outcomes per microservice over the last 24 hours."""
    return {"states": STATES, "services": service_activity(now - timedelta(hours=24))}
