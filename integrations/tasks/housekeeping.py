"""Tasks that keep the integrations tables small."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from integrations.models import TaskSubmission


@shared_task(name="integrations.prune_submissions")
def prune_submissions(days: int = 7) -> int:
    """Delete queued submissions older than `days` days; return how many went.

    A submission's task id is remembered (and a repeat refused as a duplicate) this long.
    Unqueued rows stay: they are the evidence of a submission that never reached the queue.
    """
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = TaskSubmission.objects.filter(created_at__lt=cutoff, published_at__isnull=False).delete()
    return deleted
