"""The shop's operations console: stores with their health, and the read-only history."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_celery_beat.models import PeriodicTask

from shop import actions, rendering, rules, texts, webhook_registration, webhook_status
from shop.admin_health import ListingHealthDisplays
from shop.forms import StoreForm
from shop.models import MessageTemplate, OrderEvent, OrderState, PollRun, Store, WebhookDelivery
from shop.schedules import DISPATCHER_ENTRY
from shop.woocommerce.coverage import blind_spots
from shop.woocommerce.errors import StoreError


@admin.register(Store)
class StoreAdmin(ListingHealthDisplays, admin.ModelAdmin):
    form = StoreForm
    list_display = [
        "name", "enabled", "api", "last_poll", "last_outcome", "failing", "events_24h", "poll_interval", "managed",
    ]  # fmt: skip
    list_filter = ["enabled", "api"]
    search_fields = ["name", "slug", "base_url"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = [
        "cursor", "last_success_at", "failing_since", "last_error", "outage_alerted", "schedule", "webhook_url",
        "webhook_health", "webhooks_on_store", "cannot_see", "protected", "learned", "orders_set_aside_list",
        "statuses_no_rule_knows", "evidence",
    ]  # fmt: skip
    actions = [
        "test_connection", "poll_now", "register_webhooks", "unregister_webhooks", "check_webhooks",
        "reactivate_webhooks",
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["name", "slug", "base_url", "enabled"]}),
        (
            _("Access"),
            {
                "fields": [
                    "api",
                    "consumer_key",
                    "consumer_secret",
                    "rest_consumer_key",
                    "rest_consumer_secret",
                    "query_string_auth",
                    "allow_http",
                    "ca_certificate",
                    "cannot_see",
                    "protected",
                ]
            },
        ),
        (_("Polling"), {"fields": ["poll_interval", "first_poll_lookback", "overlap", "schedule"]}),
        (_("Events"), {"fields": ["event_types", "order_storage", "status_meanings", "statuses_no_rule_knows"]}),
        (
            _("State"),
            {
                "fields": [
                    "cursor",
                    "last_success_at",
                    "failing_since",
                    "last_error",
                    "outage_alerted",
                    "learned",
                    "orders_set_aside_list",
                    "evidence",
                ]
            },
        ),
        (_("Webhooks"), {"fields": ["webhook_url", "webhook_health", "webhooks_on_store"]}),
    ]

    def get_fieldsets(self, request, obj: Store | None = None) -> list:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        if not obj.managed_by_environment:
            # "Forget" only where there is something to forget: the form offers it when editing.
            access = fieldsets[1][1]["fields"]
            at = access.index("rest_consumer_secret") + 1
            return [fieldsets[0], (fieldsets[1][0], {"fields": [*access[:at], "forget_rest_keys", *access[at:]]}),
                    *fieldsets[2:]]  # fmt: skip
        # The keys are the environment's: never shown, not editable here.
        access = ["environment", "api", "query_string_auth", "ca_certificate", "cannot_see", "protected"]
        return [
            (None, {"fields": ["name", "slug", "base_url", "enabled"]}),
            (_("Access"), {"fields": access}),
            *self.fieldsets[2:],
        ]

    def get_readonly_fields(self, request, obj: Store | None = None) -> list[str]:
        fields = list(self.readonly_fields)
        if obj is not None and obj.managed_by_environment:
            fields += ["environment", "base_url", "api", "poll_interval"]
        return fields

    @admin.display(description=_("managed by the environment"), boolean=True, ordering="managed_by_environment")
    def managed(self, store: Store) -> bool:
        return store.managed_by_environment

    @admin.display(description=_("managed by the environment"))
    def environment(self, store: Store) -> str:
        return _(
            "Yes: its URL, API, keys and polling interval come from WOOCOMMERCE_MCP_URL, "
            "WOOCOMMERCE_CONSUMER_KEY, WOOCOMMERCE_CONSUMER_SECRET and SHOP_POLLING_INTERVAL; "
            "change them there and run manage.py migrate (or sync_env_store)."
        )

    def get_queryset(self, request):
        latest = PollRun.objects.filter(store=OuterRef("pk")).exclude(outcome=PollRun.Outcome.SKIPPED)
        return (
            super()
            .get_queryset(request)
            .annotate(
                latest_outcome=Subquery(latest.order_by("-started_at").values("outcome")[:1]),
                recent_events=Count("events", filter=Q(events__detected_at__gte=timezone.now() - timedelta(hours=24))),
            )
        )

    @admin.display(description=_("last poll"), ordering="last_success_at")
    def last_poll(self, store: Store) -> str:
        if store.last_success_at is None:
            return "—"
        return _("%(age)s ago") % {"age": timesince(store.last_success_at)}

    @admin.display(description=_("outcome"))
    def last_outcome(self, store: Store) -> str:
        return PollRun.Outcome(store.latest_outcome).label if store.latest_outcome else "—"

    @admin.display(description=_("failing"), ordering="failing_since")
    def failing(self, store: Store) -> str:
        if store.failing_since is None:
            return ""
        return format_html(
            '<span style="color:#ba2121" title="{}">{}</span>',
            store.last_error,
            _("since %(age)s") % {"age": timesince(store.failing_since)},
        )

    @admin.display(description=_("events, 24 h"), ordering="recent_events")
    def events_24h(self, store: Store) -> int:
        return store.recent_events

    @admin.display(description=_("schedule"))
    def schedule(self, store: Store) -> str:
        if store.pk is None:
            return "—"
        return schedule_summary(store, timezone.now())

    @admin.display(description=_("what its API cannot see"))
    def cannot_see(self, store: Store) -> str:
        if store.pk is None:
            return "—"
        has_rest_keys = bool(store.rest_consumer_key and store.rest_consumer_secret)
        spots = blind_spots(store.api, has_rest_keys=has_rest_keys)
        if not spots:
            return _("nothing ADOLF uses: every order event can be seen")
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((spot,) for spot in spots)))

    @admin.display(description=_("webhook URL"))
    def webhook_url(self, store: Store) -> str:
        if store.pk is None:
            return "—"
        try:
            return webhook_registration.webhook_url(store)
        except webhook_registration.RegistrationError:
            return webhook_registration.webhook_path(store)

    @admin.display(description=_("webhook health"))
    def webhook_health(self, store: Store) -> str:
        if store.pk is None:
            return "—"
        registered = ", ".join(store.webhook_ids) or _("none registered")
        last = (
            _("%(age)s ago") % {"age": timesince(store.webhook_last_delivery_at)}
            if store.webhook_last_delivery_at
            else _("never")
        )
        inbox = store.webhook_inbox.filter(status__in=["pending", "processing"]).count()
        failed = store.webhook_inbox.filter(status="failed").count()
        return format_html(
            "{}: {}<br>{}: {} ({} {})<br>{}: {}<br>{}: {}; {}: {}",
            _("webhooks"), registered,
            _("last delivery"), last, store.webhook_deliveries, _("in all"),
            _("signature failures"), store.webhook_signature_failures,
            _("waiting to be processed"), inbox, _("given up"), failed,
        )  # fmt: skip

    @admin.display(description=_("webhooks on the store"))
    def webhooks_on_store(self, store: Store) -> str:
        """What WooCommerce said when its webhooks were last read back: status, topic, delivery URL."""
        check = store.webhook_check or {}
        if not check.get("checked_at"):
            return _("Not read back yet (every 10 minutes, or the action “Check webhooks on the store”).")
        colors = {"active": "#2a7d2a", "paused": "#b36b00"}
        rows = format_html_join(
            "",
            '<tr><td>{}</td><td>{}</td><td style="color:{};font-weight:bold">{}</td><td>{}</td></tr>',
            (
                (hook["topic"], hook["id"], colors.get(hook["status"], "#ba2121"), hook["status"],
                 hook["delivery_url"] if hook["points_here"] or not hook["delivery_url"]
                 else format_html("{} ({})", hook["delivery_url"], _("not this deployment's URL")))
                for hook in check.get("webhooks", [])
            ),
        )  # fmt: skip
        checked = timezone.localtime(datetime.fromisoformat(check["checked_at"]))
        error = format_html('<br><span style="color:#ba2121">{}</span>', check["error"]) if check.get("error") else ""
        return format_html(
            "<table><tr><th>{}</th><th>id</th><th>{}</th><th>{}</th></tr>{}</table>{}: {}{}",
            _("topic"), _("status"), _("delivery URL"), rows or "", _("read back"), checked.strftime("%Y-%m-%d %H:%M"),
            error,
        )  # fmt: skip

    @admin.action(description=_("Check webhooks on the store"))
    def check_webhooks(self, request, queryset) -> None:
        for store in queryset:
            state = webhook_status.check(store)
            if state.get("error"):
                self.message_user(request, f"{store.name}: {state['error']}", messages.ERROR)
                continue
            summary = ", ".join(f"{hook['topic']} {hook['status']}" for hook in state["webhooks"]) or _("none")
            self.message_user(request, f"{store.name}: {summary}")

    @admin.action(description=_("Re-activate webhooks"))
    def reactivate_webhooks(self, request, queryset) -> None:
        for store in queryset:
            try:
                ids = webhook_status.reactivate(store)
            except StoreError as exc:
                hint = _(" Re-activating needs a read/write key.")
                self.message_user(request, f"{store.name}: {exc}{hint}", messages.ERROR)
                continue
            count = len(ids)
            text = ngettext("%(count)d webhook re-activated.", "%(count)d webhooks re-activated.", count) % {
                "count": count
            }
            self.message_user(request, f"{store.name}: {text}", messages.SUCCESS if count else messages.INFO)

    @admin.action(description=_("Register webhooks"))
    def register_webhooks(self, request, queryset) -> None:
        for store in queryset:
            try:
                topics = webhook_registration.register(store)
            except webhook_registration.RegistrationError as exc:
                self.message_user(request, f"{store.name}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{store.name}: " + _("webhooks registered: %s") % ", ".join(topics))

    @admin.action(description=_("Unregister webhooks"))
    def unregister_webhooks(self, request, queryset) -> None:
        for store in queryset:
            try:
                count = webhook_registration.unregister(store)
            except webhook_registration.RegistrationError as exc:
                self.message_user(request, f"{store.name}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{store.name}: " + _("%d webhook(s) removed.") % count)

    @admin.action(description=_("Test connection"))
    def test_connection(self, request, queryset) -> None:
        # The same findings as `manage.py check_store`, one line each, under a verdict.
        for store, report in actions.check_connections(queryset):
            if not report.ok:
                level, verdict = messages.ERROR, _("polls cannot work")
            elif report.warnings:
                level, verdict = messages.WARNING, _("polls can work, with warnings")
            else:
                level, verdict = messages.SUCCESS, _("polls can work")
            lines = format_html_join("", "<br>{}", ((line,) for line in report.lines()))
            self.message_user(request, format_html("{}: {}{}", store.name, verdict, lines), level)

    @admin.action(description=_("Poll now"))
    def poll_now(self, request, queryset) -> None:
        count = actions.poll_now(queryset)
        self.message_user(request, ngettext("Queued a poll of %d store.", "Queued polls of %d stores.", count) % count)


def schedule_summary(store: Store, now) -> str:
    """The store's schedule in words, with a link to the beat entry that dispatches it."""
    if not store.enabled:
        state = _("not polled: the store is disabled")
    elif store.next_poll_at is None or store.next_poll_at <= now:
        state = _("next poll: due now")
    else:
        state = _("next poll in %(wait)s") % {"wait": timeuntil(store.next_poll_at, now)}
    entry = PeriodicTask.objects.filter(name=DISPATCHER_ENTRY).first()
    if entry is None:
        return format_html("{}; {}", state, _("the dispatcher's beat entry is missing (beat restores it)"))
    link = reverse("admin:django_celery_beat_periodictask_change", args=[entry.pk])
    return format_html('{}; {} <a href="{}">{}</a>', state, _("dispatched by the beat entry"), link, entry.name)


class ReadOnlyAdmin(admin.ModelAdmin):
    """History is written by polling, never by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser


@admin.register(PollRun)
class PollRunAdmin(ReadOnlyAdmin):
    list_display = [
        "store", "started_at", "outcome", "trigger", "pages", "orders_seen", "events_created", "orders_set_aside",
        "error_type",
    ]  # fmt: skip
    list_filter = ["outcome", "store", "trigger", "error_type"]
    date_hierarchy = "started_at"
    list_select_related = ["store"]


@admin.register(OrderState)
class OrderStateAdmin(ReadOnlyAdmin):
    list_display = ["store", "number", "order_id", "status", "total", "currency", "customer_name", "date_modified_gmt"]
    list_filter = ["store", "status"]
    search_fields = ["number", "order_id", "customer_name"]
    list_select_related = ["store"]


@admin.register(OrderEvent)
class OrderEventAdmin(ReadOnlyAdmin):
    list_display = [
        "detected_at",
        "store",
        "event_type",
        "order_number",
        "from_status",
        "to_status",
        "source",
        "published",
    ]
    list_filter = ["event_type", "store", "source", "notify", ("published_at", admin.EmptyFieldListFilter)]
    search_fields = ["order_number", "order_id", "dedupe_key"]
    date_hierarchy = "detected_at"
    list_select_related = ["store"]

    @admin.display(description=_("published"), boolean=True)
    def published(self, event: OrderEvent) -> bool:
        return event.published_at is not None


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    """Edit what staff read per order event and language; a template that does not render is refused."""

    list_display = ["event_type", "language", "title", "updated"]
    list_filter = ["event_type", "language"]
    readonly_fields = ["variables", "preview", "updated"]
    fields = ["event_type", "language", "title", "message", "variables", "preview", "updated"]

    def get_changeform_initial_data(self, request) -> dict:
        """Start a new template from the default text of the event type and language asked for."""
        initial = super().get_changeform_initial_data(request)
        event_type = initial.get("event_type") or rules.NEW
        language = initial.get("language") or settings.LANGUAGE_CODE
        if event_type in rules.EVENT_TYPES and language in dict(settings.LANGUAGES):
            initial["event_type"], initial["language"] = event_type, language
            initial["title"], initial["message"] = texts.default_text(event_type, language)
        return initial

    def save_model(self, request, obj: MessageTemplate, form, change: bool) -> None:
        obj.updated = timezone.now()
        super().save_model(request, obj, form, change)

    @admin.display(description=_("variables"))
    def variables(self, obj: MessageTemplate) -> str:
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li><code>{{{{ {} }}}}</code> — {}</li>", texts.VARIABLES.items()),
        )

    @admin.display(description=_("preview"))
    def preview(self, obj: MessageTemplate) -> str:
        if obj.pk is None:
            return _("Save to see it rendered against a sample order and the latest real event.")
        rows = []
        for what, result in rendering.preview(obj):
            label = _("sample order") if what == "sample" else _("latest event %(event)s") % {"event": what}
            if isinstance(result, str):
                rows.append((label, format_html('<span style="color:#ba2121">{}</span>', result)))
            else:
                rows.append((label, format_html("<strong>{}</strong><br>{}", result.title, result.message)))
        return format_html_join(
            "", '<p><em>{}</em></p><div style="white-space:pre-wrap;margin-bottom:1em">{}</div>', rows
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """The webhook inbox: what each store sent, and what became of it."""

    list_display = ["received_at", "store", "topic", "order_id", "status", "attempts", "events_created", "last_error"]
    list_filter = ["status", "store", "topic"]
    search_fields = ["order_id"]
    date_hierarchy = "received_at"
    list_select_related = ["store"]
