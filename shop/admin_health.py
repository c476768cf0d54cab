"""The admin's view of what polling learned of a store: findings, orders set aside, evidence, statuses.

Displays for the store's page (ListingHealthDisplays, mixed into StoreAdmin) and the
consoles of orders set aside (Retry, Forget) and of orders waiting for evidence.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from shop import actions, set_aside, statuses
from shop.listing_health import listing_findings
from shop.models import AwaitingEvidence, SetAsideOrder, Store
from shop.woocommerce.coverage import protections


class ListingHealthDisplays:
    """Read-only fields of the store's page: what its API allows and what polls learned."""

    @admin.display(description=_("what its API allows"))
    def protected(self, store: Store) -> str:
        if store.pk is None:
            return "—"
        has_rest_keys = bool(store.rest_consumer_key and store.rest_consumer_secret)
        rows = [
            (_("yes") if allowed else _("no"), text)
            for allowed, text in protections(store.api, has_rest_keys=has_rest_keys)
        ]
        return format_html('<ul class="protections">{}</ul>', format_html_join("", "<li>{}: {}</li>", rows))

    @admin.display(description=_("what polling learned"))
    def learned(self, store: Store) -> str:
        if store.pk is None:
            return "—"
        said = [text for _ok, text in listing_findings(store)]
        if not said:
            return _("nothing unusual: the store serves what it is asked")
        return format_html('<ul class="findings">{}</ul>', format_html_join("", "<li>{}</li>", ((t,) for t in said)))

    @admin.display(description=_("orders set aside"))
    def orders_set_aside_list(self, store: Store) -> str:
        if store.pk is None or not store.orders_set_aside:
            return "0"
        url = reverse("admin:shop_setasideorder_changelist") + f"?store__id__exact={store.pk}"
        rows = store.set_aside.order_by("order_id").values_list("order_id", "reason")[:10]
        return format_html(
            '<a href="{}">{}</a><ul class="set-aside">{}</ul>',
            url,
            ngettext("%d order", "%d orders", store.orders_set_aside) % store.orders_set_aside,
            format_html_join("", "<li>#{}: {}</li>", ((order_id or "?", reason) for order_id, reason in rows)),
        )

    @admin.display(description=_("statuses no rule knows"))
    def statuses_no_rule_knows(self, store: Store) -> str:
        if store.pk is None:
            return "—"
        unknown = sorted(s for s in store.unknown_statuses if statuses.is_unknown(s, store.status_meanings))
        if not unknown:
            return _("none seen")
        return format_html(
            '<ul class="unknown-statuses">{}</ul>{}',
            format_html_join("", "<li><code>{}</code></li>", ((status,) for status in unknown)),
            _("Counted as paid when the order has a payment date. Say what each means under plugin statuses."),
        )

    @admin.display(description=_("waiting for evidence"))
    def evidence(self, store: Store) -> str:
        if store.pk is None or not store.evidence_waiting:
            return "0"
        url = reverse("admin:shop_awaitingevidence_changelist") + f"?store__id__exact={store.pk}"
        return format_html(
            '<a href="{}">{}</a> — {}',
            url,
            ngettext("%d order", "%d orders", store.evidence_waiting) % store.evidence_waiting,
            _("never seen before, in a final status: announced only if their notes or refunds date the change "
              "after the polling window began"),
        )  # fmt: skip


class HistoryAdmin(admin.ModelAdmin):
    """Written by polling, never by hand; left only through its actions, which keep the store's counts."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SetAsideOrder)
class SetAsideOrderAdmin(HistoryAdmin):
    """Orders a store sent that could not be recorded: retried here, or when they next change."""

    list_display = ["store", "order_id", "reason", "date_modified_gmt", "first_set_aside", "last_tried", "attempts"]
    list_filter = ["store"]
    search_fields = ["order_id", "reason"]
    list_select_related = ["store"]
    actions = ["retry", "forget"]

    @admin.action(description=_("Retry: read them again from the store"))
    def retry(self, request, queryset) -> None:
        from shop.tasks import enqueue_notifications

        retried = actions.retry_set_aside(list(queryset))
        if retried.event_ids:
            enqueue_notifications(retried.event_ids)
        if retried.recorded:
            self.message_user(request, _("Recorded now: %s") % ", ".join(f"#{n}" for n in retried.recorded))
        if retried.gone:
            gone = ", ".join(f"#{n}" for n in retried.gone)
            self.message_user(request, _("No longer in the store, forgotten: %s") % gone)
        for order_id, reason in retried.still:
            said = _("#%(order)s still set aside: %(reason)s") % {"order": order_id or "?", "reason": reason}
            self.message_user(request, said, messages.WARNING)

    @admin.action(description=_("Forget them (they stay unrecorded until they change)"))
    def forget(self, request, queryset) -> None:
        count = set_aside.forget(list(queryset))
        self.message_user(request, ngettext("Forgot %d order.", "Forgot %d orders.", count) % count)


@admin.register(AwaitingEvidence)
class AwaitingEvidenceAdmin(HistoryAdmin):
    """Orders never seen before whose change waits for evidence of being recent (shop.evidence)."""

    list_display = ["store", "order_number", "status", "occurred_at", "window_start", "attempts", "next_attempt_at",
                    "last_error"]  # fmt: skip
    list_filter = ["store", "status"]
    search_fields = ["order_number", "order_id"]
    list_select_related = ["store"]
