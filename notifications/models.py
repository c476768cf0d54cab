"""Notifications, the channels they go out through, and one delivery row per pair.

A delivery is an outbox row: written with its notification in one transaction, claimed by
a conditional UPDATE, and re-dispatched by the sweeper if a process dies in between.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from adolf.fields import EncryptedJSONField


class Level(models.TextChoices):
    INFO = "info", _("Info")
    WARNING = "warning", _("Warning")
    ERROR = "error", _("Error")


# Routing compares levels by rank, not by name.
LEVEL_RANK = {Level.INFO: 0, Level.WARNING: 1, Level.ERROR: 2}


class Notification(models.Model):
    """One event staff should hear about; the row itself is the in-app message."""

    event_type = models.CharField(_("event type"), max_length=100, db_index=True)
    title = models.CharField(_("title"), max_length=255)
    message = models.TextField(_("message"), blank=True)
    source_module = models.CharField(_("source module"), max_length=50, db_index=True)
    source_id = models.CharField(_("source id"), max_length=255, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.INFO, db_index=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    dedupe_key = models.CharField(_("dedupe key"), max_length=255, unique=True)
    created = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    # Who renders the text again for each reader (notifications.texts); empty: the title and
    # message are shown as published.
    renderer = models.CharField(_("rendered by"), max_length=50, blank=True, editable=False)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.event_type}: {self.title}"

    def as_payload(self) -> dict[str, Any]:
        """Return the notification as plain JSON data: what webhooks and `list_notifications --json` show."""
        return {
            "id": self.pk,
            "event_type": self.event_type,
            "title": self.title,
            "message": self.message,
            "level": self.level,
            "source_module": self.source_module,
            "source_id": self.source_id,
            "data": self.data,
            "created": self.created.isoformat(),
        }

    @property
    def store(self) -> str:
        """Return the store slug the event belongs to, if any (routing "by store" uses it)."""
        store = self.data.get("store") if isinstance(self.data, dict) else None
        return str(store) if store not in (None, "") else ""

    @property
    def is_about_an_order(self) -> bool:
        """Whether the notification describes an order: its data carries `order_id`, `total` and `currency`."""
        return isinstance(self.data, dict) and all(key in self.data for key in ("order_id", "total", "currency"))


class NotificationRead(models.Model):
    """One staff user has read one notification: read state is per reader."""

    notification = models.ForeignKey(Notification, related_name="reads", on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="notification_reads", on_delete=models.CASCADE)
    read_at = models.DateTimeField(_("read at"), default=timezone.now)

    class Meta:
        verbose_name = _("read notification")
        verbose_name_plural = _("read notifications")
        constraints = [models.UniqueConstraint(fields=["user", "notification"], name="one_read_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.notification_id}"


class InboxFilter(models.Model):
    """A filter a staff user saved for their own inbox.

    `filters` has the inbox's query shape: {"level": str, "event_type": [str], "module":
    [str], "store": [str], "unread": "1"}, keys present only when set (notifications.inbox).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="inbox_filters", on_delete=models.CASCADE)
    name = models.CharField(_("name"), max_length=60)
    filters = models.JSONField(_("filters"), default=dict)
    created = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("saved inbox filter")
        verbose_name_plural = _("saved inbox filters")
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="inbox_filter_name_per_user")]

    def __str__(self) -> str:
        return self.name


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    TELEGRAM = "telegram", _("Telegram")
    WEBHOOK = "webhook", _("Webhook")
    APPRISE = "apprise", _("Apprise (Slack, Discord, ntfy, …)")


def default_language() -> str:
    return settings.LANGUAGE_CODE


class Channel(models.Model):
    """Where notifications go, with the rules choosing which ones and the language they are written in."""

    kind = models.CharField(_("kind"), max_length=20, choices=ChannelKind.choices)
    name = models.CharField(_("name"), max_length=100)
    # Tokens, signing secrets and service URLs: encrypted at rest, never shown back.
    configuration = EncryptedJSONField(_("configuration"), default=dict, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    min_level = models.CharField(_("minimum level"), max_length=10, choices=Level.choices, default=Level.INFO)
    event_types = models.JSONField(
        _("event types"),
        default=list,
        blank=True,
        help_text=_('Empty: every event type. A trailing "*" matches a prefix, e.g. shop.order.*'),
    )
    source_modules = models.JSONField(
        _("source modules"), default=list, blank=True, help_text=_("Empty: every module.")
    )
    stores = models.JSONField(_("stores"), default=list, blank=True, help_text=_("Store slugs. Empty: every store."))
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=default_language,
        help_text=_("The language order notifications are written in for this channel."),
    )  # fmt: skip
    customer_contact = models.BooleanField(
        _("send customer contact details"),
        default=True,
        help_text=_("Off: the customer's e-mail and phone are left out of what this channel sends."),
    )
    # Order conditions (notifications.routing): they apply only to notifications about an order.
    min_totals = models.JSONField(
        _("minimum order total"), default=dict, blank=True,
        help_text=_('Per currency, {"RUB": "1000", "USD": "20"}; orders in other currencies pass.'),
    )  # fmt: skip
    skip_free_orders = models.BooleanField(_("skip free orders"), default=False)
    payment_methods = models.JSONField(
        _("payment methods"), default=list, blank=True,
        help_text=_("Payment method ids or titles (bacs, cod, …). Empty: every payment method."),
    )  # fmt: skip
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    disabled_reason = models.TextField(_("disabled because"), blank=True)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")  # this notification can never go through this channel
    DEAD = "dead", _("Dead")  # every allowed attempt failed
    HELD = "held", _("Held while the channel is disabled")  # sent or dropped when it is enabled again
    DROPPED = "dropped", _("Dropped")  # held, then dropped when the channel was enabled again


class Delivery(models.Model):
    """One notification going out through one channel: the outbox row the dispatcher claims."""

    notification = models.ForeignKey(
        Notification, verbose_name=_("notification"), related_name="deliveries", on_delete=models.CASCADE
    )
    channel = models.ForeignKey(Channel, verbose_name=_("channel"), related_name="deliveries", on_delete=models.CASCADE)
    # Sent to webhook receivers as the Idempotency-Key: stable across retries.
    key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, editable=False, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now, db_index=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    response_code = models.PositiveIntegerField(_("response code"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="one_delivery_per_channel"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]

    def __str__(self) -> str:
        return f"{self.notification} → {self.channel}"
