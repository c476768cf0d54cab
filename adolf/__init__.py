"""ADOLF: the order-event and background-task hub of an online shop."""

from adolf.celery import app as celery_app

__all__ = ("celery_app",)
