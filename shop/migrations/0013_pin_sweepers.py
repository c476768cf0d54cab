"""Bring the sweepers' beat entries to what beat now keeps pinned (settings.BEAT_PINNED_SCHEDULE).

The entries were made editable by earlier migrations; beat would restore them at its first
start and log that as drift. Aligning them here makes that first start a quiet one.
"""

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def align(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    for name, spec in settings.BEAT_PINNED_SCHEDULE.items():
        every, _ = IntervalSchedule.objects.get_or_create(every=spec["every"], period="seconds")
        PeriodicTask.objects.update_or_create(
            name=name,
            defaults={"task": spec["task"], "interval": every, "queue": spec.get("queue"), "enabled": True,
                      "description": spec.get("description", "")},
        )  # fmt: skip
    # Queryset writes send no signal: tell beat to re-read its table.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0012_store_schedules"),
        ("notifications", "0002_sweeper_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    # Backwards: the entries stay (earlier migrations made them; they remove them).
    operations = [migrations.RunPython(align, migrations.RunPython.noop)]
