"""What beat's own admin page says about the entries that carry the stores' schedules."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django_celery_beat.models import PeriodicTask

from shop import drift
from shop.models import Store

register = template.Library()


@register.simple_tag
def beat_entry_notice(entry: PeriodicTask) -> SafeString | str:
    """A notice for an entry ADOLF keeps itself, or one that polls a store beside its schedule; "" otherwise."""
    stores = reverse("admin:shop_store_changelist")
    pinned = settings.BEAT_PINNED_SCHEDULE.get(entry.name)
    if pinned is not None and pinned["task"] != "shop.dispatch_polls":
        return format_html(
            '<p class="errornote">{}</p>',
            _(
                "ADOLF keeps this entry as its settings say: a change made here is undone within a minute. "
                "Its interval is the setting %(setting)s."
            )
            % {"setting": pinned["setting"]},
        )
    if pinned is not None:
        return format_html(
            '<p class="errornote">{} <a href="{}">{}</a></p>',
            _(
                "ADOLF keeps this entry as its settings say: a change made here is undone within a minute. "
                "Each store's polling interval and on/off switch are edited on the store's page:"
            ),
            stores,
            _("Stores"),
        )
    if entry.task == drift.POLL_TASK:
        store = Store.objects.filter(pk=drift.store_id_of(entry.kwargs)).first()
        return format_html(
            '<p class="errornote">{} <a href="{}">{}</a></p>',
            _(
                "This entry polls a store beside the store's own schedule, which is edited on the store's page; "
                "ADOLF deletes it within a minute:"
            ),
            reverse("admin:shop_store_change", args=[store.pk]) if store else stores,
            store.name if store else _("Stores"),
        )
    return ""
