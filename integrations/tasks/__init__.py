"""Microservice tasks, one module per service; Celery's autodiscovery imports this package."""

from integrations.tasks import auth_tasks, cart_tasks, housekeeping, order_tasks, product_tasks

__all__ = ("auth_tasks", "cart_tasks", "housekeeping", "order_tasks", "product_tasks")
