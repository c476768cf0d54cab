"""django-celery-beat's periodic task admin, checked against the central service's real tasks."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_celery_beat.admin import PeriodicTaskAdmin, PeriodicTaskForm
from django_celery_beat.models import PeriodicTask
from kombu.exceptions import OperationalError

from integrations import periodic


class CheckedPeriodicTaskForm(PeriodicTaskForm):
    """Refuse a task name no worker has, and arguments that do not fit the task."""

    def clean(self) -> dict:
        """Refuse editing a pinned entry, and a task or arguments that periodic.check refuses."""
        data = super().clean()
        if self.instance.pk and self.instance.name in settings.BEAT_PINNED_SCHEDULE:
            # Beat restores it within a minute (adolf.beat): say so rather than pretend to save.
            setting = settings.BEAT_PINNED_SCHEDULE[self.instance.name]["setting"]
            raise forms.ValidationError(
                _("ADOLF keeps this entry as its settings say (%(setting)s): change the setting instead.")
                % {"setting": setting}
            )
        if self.errors:
            return data
        try:
            periodic.check(data["task"], data.get("args") or "[]", data.get("kwargs") or "{}")
        except periodic.PeriodicTaskInvalid as exc:
            self.add_error("task", str(exc))
        return data


class CheckedPeriodicTaskAdmin(PeriodicTaskAdmin):
    """django-celery-beat's periodic task admin, with the task and its arguments checked before saving."""

    form = CheckedPeriodicTaskForm

    @admin.action(description=_("Run selected tasks now"))
    def run_tasks(self, request: HttpRequest, queryset: QuerySet[PeriodicTask]) -> None:
        """Send each selected periodic task now, once; say which were sent (with their ids) and which were refused."""
        sent, failed = [], []
        for periodic_task in queryset:
            try:
                task_id = periodic.run_now(periodic_task)
            except (periodic.PeriodicTaskInvalid, OperationalError) as exc:
                failed.append(f"{periodic_task.name}: {exc}")
            else:
                sent.append(f"{periodic_task.name} [{task_id}]")
        if sent:
            self.message_user(
                request, _("Sent %(count)d task(s): %(tasks)s") % {"count": len(sent), "tasks": "; ".join(sent)}
            )
        for failure in failed:
            self.message_user(request, _("Not sent: %(failure)s") % {"failure": failure}, level=messages.ERROR)


admin.site.unregister(PeriodicTask)
admin.site.register(PeriodicTask, CheckedPeriodicTaskAdmin)
