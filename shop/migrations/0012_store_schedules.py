"""Each store carries its own schedule (next_poll_at); one beat entry dispatches them all.

The stores' own beat entries (one PeriodicTask each) are deleted; each store's first due
time is spread over its interval, so a thousand stores do not all come due at once.
"""

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def store_schedules(apps, schema_editor):
    Store = apps.get_model("shop", "Store")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    now = timezone.now()
    for store in Store.objects.only("pk", "poll_interval"):
        # Spread by id over one interval: stable, and stores added together land apart.
        offset = (store.pk * 7919) % max(store.poll_interval, 1)
        Store.objects.filter(pk=store.pk).update(next_poll_at=now + timedelta(seconds=offset))
    # The entries the stores kept in step with them until now (shop.schedules named them so).
    PeriodicTask.objects.filter(task="shop.poll_orders", name__startswith="shop: poll ").delete()
    # The dispatcher and the repair, as beat keeps them (adolf.beat): present from the start,
    # so that beat finding one missing later is drift worth reporting.
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    for name, spec in settings.BEAT_PINNED_SCHEDULE.items():
        every, _ = IntervalSchedule.objects.get_or_create(every=spec["every"], period="seconds")
        PeriodicTask.objects.get_or_create(
            name=name,
            defaults={"task": spec["task"], "interval": every, "queue": spec.get("queue"),
                      "description": spec.get("description", "")},
        )  # fmt: skip
    # Queryset writes send no signal: tell beat to re-read its table.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": now})


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0011_listings_statuses_set_aside_evidence"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        # Schema first, data last: PostgreSQL refuses to alter a table with row changes
        # still waiting on deferred foreign-key checks.
        migrations.RemoveField(
            model_name="store",
            name="periodic_task",
        ),
        migrations.AddField(
            model_name="pollrun",
            name="due_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="due"),
        ),
        migrations.AddField(
            model_name="store",
            name="next_poll_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="next poll due"),
        ),
        migrations.AddIndex(
            model_name="store",
            index=models.Index(condition=models.Q(("enabled", True)), fields=["next_poll_at"], name="store_next_poll"),
        ),
        migrations.RunPython(store_schedules, migrations.RunPython.noop),
    ]
