"""The operations console: notification and delivery history, channels with their tests."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications import channels, dispatch, inbox
from notifications.forms import ChannelForm, kind_fieldsets
from notifications.models import Channel, Delivery, DeliveryStatus, Notification


class ReadOnlyAdmin(admin.ModelAdmin):
    """History is written by the system, never edited by hand."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StoreFilter(admin.SimpleListFilter):
    """Filter notifications by the store their data names (inbox.store_choices: the newest ones' stores)."""

    title = _("store")
    parameter_name = "store"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        """The stores of the newest notifications, and the one selected."""
        return [(store, store) for store in inbox.store_choices(selected=[self.value()] if self.value() else [])]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        """Narrow to the notifications whose data names the selected store."""
        if self.value():
            return queryset.filter(data__store=self.value())
        return queryset


class ReadFilter(admin.SimpleListFilter):
    """Read or not by the admin looking: read state is per user."""

    title = _("read by me")
    parameter_name = "read"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, Any]]:
        """Unread and read, as the viewing user sees them."""
        return [("no", _("Unread")), ("yes", _("Read"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        """Narrow to the notifications the viewing user has (or has not) read."""
        if self.value() in ("yes", "no"):
            return queryset.filter(is_read=self.value() == "yes")
        return queryset


class DeliveryInline(admin.TabularInline):
    """A notification's deliveries, one row per channel, read-only."""

    model = Delivery
    fields = ["channel", "status", "attempts", "next_attempt_at", "response_code", "sent_at", "last_error"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """Notifications in the admin, read-only, with whether the viewing user has read each."""

    list_display = ["created", "level", "event_type", "title", "source_module", "source_id", "store", "is_read"]
    list_filter = ["level", "event_type", "source_module", StoreFilter, "created", ReadFilter]
    search_fields = ["title", "message", "source_id", "dedupe_key"]
    date_hierarchy = "created"
    inlines = [DeliveryInline]
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet[Notification]:
        """Notifications annotated with whether the viewing user has read each."""
        return inbox.with_read_state(super().get_queryset(request), request.user)

    @admin.display(description=_("store"))
    def store(self, obj: Notification) -> str:
        """The store the notification's data names, if any."""
        return obj.store

    @admin.display(description=_("read by me"), boolean=True)
    def is_read(self, obj: Notification) -> bool:
        """Whether the viewing user has read the notification (annotated by inbox.with_read_state)."""
        return obj.is_read


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """Deliveries in the admin, read-only but for retrying failed and dead ones."""

    list_display = [
        "notification", "channel", "status", "attempts", "next_attempt_at", "response_code", "sent_at", "error",
    ]  # fmt: skip
    list_filter = ["status", "channel__kind", "channel", "created"]
    list_select_related = ["notification", "channel"]
    search_fields = ["notification__title", "notification__source_id", "last_error"]
    date_hierarchy = "created"
    actions = ["retry_now"]

    @admin.display(description=_("last error"))
    def error(self, obj: Delivery) -> str:
        """The delivery's last error, cut to 80 characters for the list."""
        return Truncator(obj.last_error).chars(80)

    def has_retry_permission(self, request: HttpRequest) -> bool:
        """Whether the user may retry deliveries: the change permission on deliveries."""
        return request.user.has_perm("notifications.change_delivery")

    @admin.action(description=_("Retry now"), permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        """Queue the selected deliveries again at once; those of disabled channels are skipped, and counted."""
        disabled = queryset.filter(channel__enabled=False).count()
        retried = dispatch.retry_now(queryset.filter(channel__enabled=True))
        self.message_user(
            request,
            ngettext("%(count)d delivery queued again.", "%(count)d deliveries queued again.", retried)
            % {"count": retried},
            messages.SUCCESS,
        )
        if disabled:
            self.message_user(
                request,
                ngettext(
                    "%(count)d delivery skipped: its channel is disabled; enable it first.",
                    "%(count)d deliveries skipped: their channel is disabled; enable it first.",
                    disabled,
                )
                % {"count": disabled},
                messages.WARNING,
            )


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    """Channels in the admin: their routing, last error, kept notifications, and test/enable/disable actions."""

    form = ChannelForm
    list_display = [
        "name", "kind", "enabled", "language", "min_level", "routing", "last_error_short", "disabled_reason", "kept",
    ]  # fmt: skip
    list_filter = ["kind", "enabled"]
    search_fields = ["name"]
    readonly_fields = ["last_error", "last_error_at", "disabled_reason", "disabled_at"]
    actions = ["send_test_notification", "enable", "disable"]

    class Media:
        # Shows only the settings of the chosen kind.
        js = ["notifications/channel_kind.js"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Channel]:
        """Channels annotated with how many deliveries each holds (`held`)."""
        held = Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.HELD))
        return super().get_queryset(request).annotate(held=held)

    def get_form(self, request: HttpRequest, obj: Channel | None = None, change: bool = False, **kwargs: Any) -> Any:
        """The channel form, with its per-kind fields (ChannelForm adds them)."""
        # The per-kind fields are added by the form itself; the model only knows the plain ones.
        kwargs["fields"] = ChannelForm.Meta.fields
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Channel | None = None) -> list:
        """The change form's sections; a disabled channel shows why first, and what it kept."""
        main = ["kind", "name", "enabled"]
        if obj is not None and not obj.enabled:
            # Why it is off comes first, and what enabling it does with what it kept.
            main += ["disabled_reason", "disabled_at"]
            if channels.kept([obj.pk]):
                main.append("kept")
        fieldsets = [
            (None, {"fields": main}),
            (_("Routing"), {"fields": ["min_level", "event_types_text", "source_modules_text", "stores_text"]}),
            (
                _("Order conditions"),
                {
                    "fields": ["min_totals_text", "skip_free_orders", "payment_methods_text"],
                    "description": _("Only for notifications about an order; others pass. Empty: every order."),
                },
            ),
            (_("What is sent"), {"fields": ["language", "customer_contact"]}),
            *kind_fieldsets(),
        ]
        if obj is not None:
            fieldsets.append((_("Status"), {"fields": ["last_error", "last_error_at"]}))
        return fieldsets

    def save_model(self, request: HttpRequest, obj: Channel, form: Any, change: bool) -> None:
        """Save the channel; switching it on or off goes through notifications.channels (held ones, reasons)."""
        # Turning a channel on or off is done by notifications.channels, with what it implies.
        wanted = obj.enabled
        if change:
            obj.enabled = Channel.objects.values_list("enabled", flat=True).get(pk=obj.pk)
        super().save_model(request, obj, form, change)
        if wanted and not obj.enabled:
            self._enable(request, [obj.pk], form.cleaned_data.get("kept") or channels.SEND)
        elif obj.enabled and not wanted:
            channels.disable([obj.pk], _("Disabled by %(user)s") % {"user": request.user})
        obj.refresh_from_db()

    @admin.display(description=_("routing"))
    def routing(self, obj: Channel) -> str:
        """The channel's routing rules in one cell: event types; modules; @stores ("—" when it takes everything)."""
        parts = [
            ", ".join(rule) for rule in (obj.event_types, obj.source_modules, [f"@{s}" for s in obj.stores]) if rule
        ]
        return "; ".join(parts) or "—"

    @admin.display(description=_("last error"))
    def last_error_short(self, obj: Channel) -> str:
        """The channel's last error, cut to 80 characters for the list."""
        return Truncator(obj.last_error).chars(80)

    @admin.display(description=_("kept"), ordering="held")
    def kept(self, obj: Channel) -> int | str:
        """How many notifications are held for the channel while it is disabled (blank when none)."""
        return obj.held or ""

    @admin.action(description=_("Send test notification"))
    def send_test_notification(self, request: HttpRequest, queryset: QuerySet[Channel]) -> None:
        """Send a test notification through each selected channel now; say per channel whether it went through."""
        for channel in queryset:
            error = dispatch.send_test(channel)
            if error is None:
                self.message_user(
                    request, _("%(channel)s: test notification sent.") % {"channel": channel}, messages.SUCCESS
                )
            else:
                self.message_user(
                    request, _("%(channel)s: %(error)s") % {"channel": channel, "error": error.message}, messages.ERROR
                )

    @admin.action(description=_("Enable"), permissions=["change"])
    def enable(self, request: HttpRequest, queryset: QuerySet[Channel]) -> TemplateResponse | None:
        """Enable the selected channels; if notifications were kept for them, ask first: send or drop them?"""
        ids = list(queryset.values_list("pk", flat=True))
        held = request.POST.get("kept")
        counts = channels.kept(ids)
        if counts and held not in (channels.SEND, channels.DROP):
            # Notifications were kept for some of them: ask first whether to send or drop them.
            context = {
                **self.admin_site.each_context(request),
                "title": _("Enable channels"),
                "opts": self.model._meta,
                "rows": [(channel, counts.get(channel.pk, 0)) for channel in queryset.order_by("name")],
                "total": sum(counts.values()),
                "ids": ids,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/notifications/channel/enable_kept.html", context)
        self._enable(request, ids, held or channels.SEND)
        return None

    def _enable(self, request: HttpRequest, ids: list[int], held: str) -> None:
        result = channels.enable(ids, held=held)
        text = ngettext("%(count)d channel enabled.", "%(count)d channels enabled.", result.channels) % {
            "count": result.channels
        }
        if result.sent:
            text += " " + ngettext(
                "%(count)d kept notification queued.", "%(count)d kept notifications queued.", result.sent
            ) % {"count": result.sent}
        if result.dropped:
            text += " " + ngettext(
                "%(count)d kept notification dropped.", "%(count)d kept notifications dropped.", result.dropped
            ) % {"count": result.dropped}
        self.message_user(request, text, messages.SUCCESS)

    @admin.action(description=_("Disable"), permissions=["change"])
    def disable(self, request: HttpRequest, queryset: QuerySet[Channel]) -> None:
        """Disable the selected channels, naming the user as the reason; their notifications are kept meanwhile."""
        ids = list(queryset.values_list("pk", flat=True))
        count = channels.disable(ids, _("Disabled by %(user)s") % {"user": request.user})
        self.message_user(
            request,
            ngettext(
                "%(count)d channel disabled; notifications for it are kept until it is enabled again.",
                "%(count)d channels disabled; notifications for them are kept until they are enabled again.",
                count,
            )
            % {"count": count},
        )
