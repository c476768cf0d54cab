"""The one Celery app: configuration from Django settings, routing by task-name prefix."""

from __future__ import annotations

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adolf.settings")

# Every queue a worker of this project consumes. shop.*, notifications.* and adolf.* run
# on "default"; each microservice's tasks get a queue of their own so one slow service
# cannot starve another.
SERVICE_QUEUES = ("auth", "cart", "order", "product")
QUEUES = ("default", *SERVICE_QUEUES)
TASK_ROUTES = {f"{service}.*": {"queue": service} for service in SERVICE_QUEUES}

app = Celery("adolf")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_default_queue = "default"
app.conf.task_queues = [Queue(name) for name in QUEUES]
app.conf.task_routes = TASK_ROUTES
app.autodiscover_tasks()

# Logging and metrics bookkeeping of every Celery process.
from adolf import signals  # noqa: E402, F401
