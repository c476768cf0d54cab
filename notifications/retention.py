"""Forget notifications past their retention: they carry customer details (name, e-mail, phone, note)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from notifications.models import Notification

BATCH = 1000


def prune(now: datetime | None = None) -> int:
    """Delete notifications older than NOTIFICATION_RETENTION_DAYS, with their deliveries and read marks.

    In batches, so a first run over years of history holds no long lock. Returns how many went.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.NOTIFICATION_RETENTION_DAYS)
    deleted = 0
    while True:
        ids = list(Notification.objects.filter(created__lt=cutoff).values_list("pk", flat=True)[:BATCH])
        if not ids:
            return deleted
        Notification.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
