"""Schedule auth.cleanup_expired_tokens daily in django-celery-beat (editable in the admin)."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

NAME = "auth: clean up expired tokens (daily)"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    # Night time in the shop's time zone, when hardly anyone logs in.
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="3",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=settings.CELERY_TIMEZONE,
    )
    PeriodicTask.objects.create(
        name=NAME,
        task="auth.cleanup_expired_tokens",
        crontab=crontab,
        args="[7]",
        kwargs="{}",
        enabled=True,
        description="Ask the auth service to delete tokens that expired more than 7 days ago (the argument).",
    )
    # Historical models send no signals: tell a running beat the schedule changed.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
