"""Any service Apprise knows (Slack, Discord, ntfy, …) from one Apprise URL; our own retries only."""

from __future__ import annotations

from typing import TYPE_CHECKING

import apprise
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from adolf.headers import one_line
from notifications.transports.transport import Fault, Setting, Transport, TransportError

if TYPE_CHECKING:
    from notifications.models import Notification

NOTIFY_TYPES = {
    "info": apprise.NotifyType.INFO,
    "warning": apprise.NotifyType.WARNING,
    "error": apprise.NotifyType.FAILURE,
}
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 10.0
CALL_TIMEOUT = 30.0


def _asset() -> apprise.AppriseAsset:
    # Apprise's own retries stay off: the delivery's backoff and attempt count rule.
    asset = apprise.AppriseAsset(service_timeout=CALL_TIMEOUT)
    asset.default_service_retry = 0
    return asset


def instantiate(url: str) -> apprise.plugins.NotifyBase | None:
    """Return the Apprise service for a URL, with retries off and bounded timeouts; None if invalid."""
    service = apprise.Apprise.instantiate(url, asset=_asset())
    if service is None:
        return None
    service.retry = 0  # even if the URL says ?retry=N
    service.socket_connect_timeout = min(service.socket_connect_timeout, CONNECT_TIMEOUT)
    service.socket_read_timeout = min(service.socket_read_timeout, READ_TIMEOUT)
    return service


def clean_url(value: str) -> str:
    if instantiate(value) is None:
        raise ValidationError(_("Apprise does not understand this URL; see https://appriseit.com/services/"))
    return value


class AppriseTransport(Transport):
    kind = "apprise"
    settings = (
        Setting(
            "url", _("Apprise URL"), secret=True, clean=clean_url, help_text=_("e.g. slack://…, discord://…, ntfy://…")
        ),
    )

    def send(self, notification: Notification, *, idempotency_key: str) -> int | None:
        service = instantiate(self.config["url"])
        if service is None:
            raise TransportError("Apprise does not understand the channel's URL", fault=Fault.CHANNEL)
        notifier = apprise.Apprise(asset=_asset())
        notifier.add(service)
        result = notifier.notify(
            body=notification.message or notification.title,
            # Many services put the title in a header or a subject line: one line.
            title=one_line(notification.title),
            notify_type=NOTIFY_TYPES.get(notification.level, apprise.NotifyType.INFO),
            timeout=CALL_TIMEOUT,
        )
        if not result:
            # Apprise reports no status codes we could classify: treat every failure as retryable.
            reasons = [entry.message for entry in result.logs() if entry.level in ("ERROR", "WARNING")]
            detail = reasons[-1][:300] if reasons else str(result.status.name)
            raise TransportError(f"Apprise ({service.service_name}) failed: {detail}")
        return None
