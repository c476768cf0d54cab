"""What every microservice task shares: call the service back, retry what is worth retrying."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from celery import Task, shared_task
from django.conf import settings

from adolf.http import RateLimitedHttpError, TransientHttpError
from adolf.redaction import redact
from adolf.retry import backoff_delay
from integrations import callbacks

logger = logging.getLogger(__name__)

# Pauses between attempts grow 2 s, 4 s, 8 s, … (full jitter) up to 5 minutes
# (TASK_RETRY_MAX_COUNTDOWN_SECONDS): a countdown must stay below what the broker's
# visibility timeout allows (adolf.checks) or the task would run twice.
RETRY_BACKOFF_SECONDS = 2.0


class CallbackFailed(Exception):
    """The service kept failing (timeouts, 5xx, 429) until the retries ran out."""


class ServiceTask(Task):
    """A task whose work is done by its microservice, called back over HTTP."""

    def call_service(self, **arguments: Any) -> Any:
        """Call the task's service with these named arguments; retry transient failures."""
        service = callbacks.load_service(self.name)
        attempt = self.request.retries + 1
        try:
            return callbacks.call_service(service, self.name, self.request.id, arguments, attempt=attempt)
        except TransientHttpError as exc:
            if self.request.retries >= service.max_retries:
                failure = f"{service.name} still failing after {attempt} attempt(s): {exc}"
                raise CallbackFailed(redact(failure)) from None
            delay = self.retry_delay(exc, attempt)
            logger.warning(
                "%s [%s] attempt %d failed (%s); retrying in %.1f s", self.name, self.request.id, attempt, exc, delay
            )
            raise self.retry(exc=exc, countdown=delay, max_retries=service.max_retries) from None

    @staticmethod
    def retry_delay(exc: TransientHttpError, attempt: int) -> float:
        """Wait what a rate-limiting service asked for, else back off; never past the cap."""
        if isinstance(exc, RateLimitedHttpError) and exc.retry_after is not None:
            return min(exc.retry_after, settings.TASK_RETRY_MAX_COUNTDOWN_SECONDS)
        return backoff_delay(attempt, base=RETRY_BACKOFF_SECONDS, cap=settings.TASK_RETRY_MAX_COUNTDOWN_SECONDS)


def service_task(name: str) -> Callable[[Callable[..., Any]], ServiceTask]:
    """Register a microservice task under its public name (`service.task`)."""
    return shared_task(name=name, base=ServiceTask, bind=True)
