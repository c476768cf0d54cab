"""E-mail through Django's e-mail backend (SMTP in production), as text with an HTML alternative."""

from __future__ import annotations

import re
import smtplib
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from notifications.transports.transport import Setting, Transport, TransportError

if TYPE_CHECKING:
    from notifications.models import Notification


def clean_recipients(value: str) -> list[str]:
    addresses = [item.strip() for item in re.split(r"[,;\s]+", value) if item.strip()]
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(_("%(address)s is not an e-mail address."), params={"address": address}) from None
    return addresses


def smtp_failure(exc: Exception) -> TransportError:
    """Decide from the SMTP reply: 5xx is permanent, 4xx and a lost connection are worth retrying."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        permanent = all(code >= 500 for code in codes)
        refused = ", ".join(f"{address} ({code})" for address, (code, _m) in exc.recipients.items())
        return TransportError(f"SMTP refused every recipient: {refused}", permanent=permanent, status=max(codes))
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return TransportError(
            f"SMTP answered {exc.smtp_code}: {text[:300]}", permanent=exc.smtp_code >= 500, status=exc.smtp_code
        )
    return TransportError(f"SMTP server unreachable: {type(exc).__name__}: {exc}")


class EmailTransport(Transport):
    kind = "email"
    settings = (
        Setting(
            "recipients",
            _("recipients"),
            multiline=True,
            clean=clean_recipients,
            help_text=_("E-mail addresses, separated by commas or new lines."),
        ),
    )

    def send(self, notification: Notification, *, idempotency_key: str) -> int | None:
        context = {"notification": notification}
        subject = f"[{notification.get_level_display()}] {notification.title}"
        message = EmailMultiAlternatives(
            subject=subject[:200],
            body=render_to_string("notifications/email/notification.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=self.config["recipients"],
            headers={"X-Adolf-Event": notification.event_type, "X-Adolf-Delivery": idempotency_key},
        )
        message.attach_alternative(render_to_string("notifications/email/notification.html", context), "text/html")
        try:
            # EMAIL_TIMEOUT bounds the SMTP connection; the backend raises instead of hiding errors.
            with get_connection(fail_silently=False) as connection:
                message.connection = connection
                message.send()
        except (smtplib.SMTPException, OSError) as exc:
            raise smtp_failure(exc) from exc
        return None
