"""Record what ADOLF repaired by itself in the admin log, beside what people changed.

Django's admin log (LogEntry) is where operators look for "who changed this": each entry
needs a user, so repairs are made by one inactive user of ADOLF's own (it can never log
in). The object's History page in the admin then shows the repair and its reason.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models

REPAIR_USERNAME = "adolf-repair"
ACTIONS = {"added": ADDITION, "changed": CHANGE, "deleted": DELETION}


def repair_user():
    """Return ADOLF's own user for repairs, creating it (inactive, no usable password) once."""
    user, created = get_user_model().objects.get_or_create(
        username=REPAIR_USERNAME, defaults={"is_active": False, "first_name": "ADOLF", "last_name": "(repairs)"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def record_repair(obj: models.Model, action: str, message: str) -> LogEntry:
    """Write one admin-log entry for a repair of `obj` ("added", "changed" or "deleted") and why."""
    return LogEntry.objects.create(
        user=repair_user(),
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action_flag=ACTIONS[action],
        change_message=message,
    )


def repairs_since(since: datetime, *models_: type[models.Model]) -> list[LogEntry]:
    """The repairs recorded since `since` on objects of the given models, newest first."""
    types = [ContentType.objects.get_for_model(model, for_concrete_model=False) for model in models_]
    return list(
        LogEntry.objects.filter(user__username=REPAIR_USERNAME, action_time__gte=since, content_type__in=types)
        .select_related("content_type")
        .order_by("-action_time")
    )
