"""ADOLF: the order-event and background-task hub of an online shop."""

from adolf import multiproc

# Before anything imports prometheus_client (Celery, Flower and our metrics all may).
multiproc.configure()

from adolf.celery import app as celery_app  # noqa: E402

__all__ = ("celery_app",)
