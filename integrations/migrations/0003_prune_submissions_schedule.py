"""Schedule integrations.prune_submissions daily in django-celery-beat (editable in the admin)."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

NAME = "integrations: prune task submissions (daily)"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="45",
        hour="3",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=settings.CELERY_TIMEZONE,
    )
    PeriodicTask.objects.create(
        name=NAME,
        task="integrations.prune_submissions",
        crontab=crontab,
        args="[7]",
        kwargs="{}",
        enabled=True,
        description="Forget API submissions older than 7 days (the argument); their task ids may then be reused.",
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("integrations", "0002_cleanup_expired_tokens_schedule")]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
