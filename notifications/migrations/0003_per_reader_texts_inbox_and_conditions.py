"""Texts per reader, per-user read state and saved filters, channel language and order conditions,
and the daily retention of notifications (a django-celery-beat task)."""

import django.db.models.deletion
import django.utils.timezone
import notifications.models
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

PRUNE_TASK = "notifications.prune_notifications"
PRUNE_NAME = "Notifications: forget notifications older than NOTIFICATION_RETENTION_DAYS"


def keep_read_state(apps, schema_editor):
    """A notification read by someone stays read for that user."""
    Notification = apps.get_model("notifications", "Notification")
    NotificationRead = apps.get_model("notifications", "NotificationRead")
    reads = Notification.objects.exclude(read_by=None).values_list("pk", "read_by_id", "read_at")
    NotificationRead.objects.bulk_create(
        [NotificationRead(notification_id=pk, user_id=user, read_at=at) for pk, user, at in reads.iterator()],
        batch_size=1000,
        ignore_conflicts=True,
    )


def register_pruning(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    daily, _ = IntervalSchedule.objects.get_or_create(every=1, period="days")
    PeriodicTask.objects.update_or_create(
        name=PRUNE_NAME,
        defaults={
            "task": PRUNE_TASK,
            "interval": daily,
            "enabled": True,
            "queue": "default",
            "description": "Deletes notifications (with their deliveries and customer details) past their retention.",
        },
    )
    # The historical model has no signals: tell a running beat that the schedule changed.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def unregister_pruning(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=PRUNE_NAME).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0002_sweeper_schedule'),
        ('django_celery_beat', '0019_alter_periodictasks_options'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='InboxFilter',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=60, verbose_name='name')),
                ('filters', models.JSONField(default=dict, verbose_name='filters')),
                ('created', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
            ],
            options={
                'verbose_name': 'saved inbox filter',
                'verbose_name_plural': 'saved inbox filters',
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='NotificationRead',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('read_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='read at')),
            ],
            options={
                'verbose_name': 'read notification',
                'verbose_name_plural': 'read notifications',
            },
        ),
        migrations.AddField(
            model_name='channel',
            name='customer_contact',
            field=models.BooleanField(default=True, help_text="Off: the customer's e-mail and phone are left out of what this channel sends.", verbose_name='send customer contact details'),
        ),
        migrations.AddField(
            model_name='channel',
            name='language',
            field=models.CharField(choices=[('ru', 'Russian'), ('en', 'English')], default=notifications.models.default_language, help_text='The language order notifications are written in for this channel.', max_length=8, verbose_name='language'),
        ),
        migrations.AddField(
            model_name='channel',
            name='min_totals',
            field=models.JSONField(blank=True, default=dict, help_text='Per currency, {"RUB": "1000", "USD": "20"}; orders in other currencies pass.', verbose_name='minimum order total'),
        ),
        migrations.AddField(
            model_name='channel',
            name='payment_methods',
            field=models.JSONField(blank=True, default=list, help_text='Payment method ids or titles (bacs, cod, …). Empty: every payment method.', verbose_name='payment methods'),
        ),
        migrations.AddField(
            model_name='channel',
            name='skip_free_orders',
            field=models.BooleanField(default=False, verbose_name='skip free orders'),
        ),
        migrations.AddField(
            model_name='notification',
            name='renderer',
            field=models.CharField(blank=True, editable=False, max_length=50, verbose_name='rendered by'),
        ),
        migrations.AddField(
            model_name='inboxfilter',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='inbox_filters', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='notificationread',
            name='notification',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reads', to='notifications.notification'),
        ),
        migrations.AddField(
            model_name='notificationread',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notification_reads', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddConstraint(
            model_name='inboxfilter',
            constraint=models.UniqueConstraint(fields=('user', 'name'), name='inbox_filter_name_per_user'),
        ),
        migrations.AddConstraint(
            model_name='notificationread',
            constraint=models.UniqueConstraint(fields=('user', 'notification'), name='one_read_per_user'),
        ),
        migrations.RunPython(keep_read_state, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name='notification',
            name='notification_unread_idx',
        ),
        migrations.RemoveField(
            model_name='notification',
            name='read_at',
        ),
        migrations.RemoveField(
            model_name='notification',
            name='read_by',
        ),
        migrations.RunPython(register_pruning, unregister_pruning),
    ]
