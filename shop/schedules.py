"""Keep each store's django-celery-beat PeriodicTask in step with the store."""

from __future__ import annotations

import json

from django_celery_beat.models import IntervalSchedule, PeriodicTask

POLL_TASK = "shop.poll_orders"


def sync_schedule(store) -> PeriodicTask:
    """Create or update the store's polling task: its interval, kwargs and enabled flag."""
    interval, _ = IntervalSchedule.objects.get_or_create(every=store.poll_interval, period=IntervalSchedule.SECONDS)
    fields = {
        "name": f"shop: poll {store.slug}",
        "task": POLL_TASK,
        "interval": interval,
        "kwargs": json.dumps({"store_id": store.pk}),
        "queue": "default",
        # SHOP_POLLING_ENABLED is checked when the task runs, not baked in here: a store saved
        # while polling was switched off would otherwise stay off after it is switched on.
        "enabled": store.enabled,
        "description": f"Poll the WooCommerce store {store.name} for changed orders.",
    }
    # By name too: a task left by a store deleted some other way is adopted, not duplicated.
    task = store.periodic_task or PeriodicTask.objects.filter(name=fields["name"]).first()
    if task is None:
        task = PeriodicTask.objects.create(**fields)
    if store.periodic_task_id != task.pk:
        type(store).objects.filter(pk=store.pk).update(periodic_task=task)
        store.periodic_task = task
    elif store.periodic_task_id != task.pk or any(getattr(task, name) != value for name, value in fields.items()):
        for name, value in fields.items():
            setattr(task, name, value)
        # save() (not update()) so beat's DatabaseScheduler notices the change.
        task.save()
    return task


def delete_schedule(sender, instance, **kwargs) -> None:
    """Delete a deleted store's polling task, however the store was deleted (admin bulk delete too)."""
    if instance.periodic_task_id is not None:
        PeriodicTask.objects.filter(pk=instance.periodic_task_id).delete()
