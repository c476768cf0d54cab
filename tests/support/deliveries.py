"""Helpers for delivery tests: make a waiting delivery due, read it back."""

from __future__ import annotations

from django.utils import timezone

from notifications.models import Delivery


def make_due(delivery: Delivery) -> None:
    """Let the backoff pass without waiting: the retry is due now."""
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


def reload(delivery: Delivery) -> Delivery:
    delivery.refresh_from_db()
    delivery.channel.refresh_from_db()
    return delivery
