"""E-mail through Django's e-mail backend (SMTP in production), as text with an HTML alternative."""

from __future__ import annotations

import contextlib
import re
import smtplib
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.validators import validate_email
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from adolf.headers import one_line
from notifications.transports.transport import Fault, Setting, Transport, TransportError

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
    """Decide from the SMTP reply: 4xx and a lost connection are worth retrying, 5xx are not.

    A 5xx refusing the message itself (DATA: too large, rejected content) fails this
    delivery; one refusing the recipients, the sender or our login breaks the channel (the
    recipients are the channel's, the sender and login the deployment's): nothing this
    channel sends can arrive until someone fixes it.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        fault = Fault.CHANNEL if all(code >= 500 for code in codes) else Fault.TRANSIENT
        refused = ", ".join(f"{address} ({code})" for address, (code, _m) in exc.recipients.items())
        return TransportError(f"SMTP refused every recipient: {refused}", fault=fault, status=max(codes))
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        if exc.smtp_code < 500:
            fault = Fault.TRANSIENT
        elif isinstance(exc, smtplib.SMTPDataError):
            fault = Fault.DELIVERY
        else:
            fault = Fault.CHANNEL
        return TransportError(f"SMTP answered {exc.smtp_code}: {text[:300]}", fault=fault, status=exc.smtp_code)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return TransportError(f"SMTP server lacks what the settings ask for: {exc}", fault=Fault.CHANNEL)
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

    _connection: BaseEmailBackend | None = None

    def __enter__(self) -> EmailTransport:
        # One SMTP session for the block, opened by the first send: every mail of a batch
        # goes over it instead of a connection, a greeting and a login each.
        self._connection = get_connection(fail_silently=False)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._connection is not None:
            self._close(self._connection)
            self._connection = None

    @staticmethod
    def _close(connection: BaseEmailBackend) -> None:
        # Closing a session that already failed: nothing left to lose.
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()

    def send(self, notification: Notification, *, idempotency_key: str) -> int | None:
        context = {"notification": notification}
        # Header values are one line, or Django refuses the mail (BadHeaderError) on every attempt.
        subject = one_line(f"[{notification.get_level_display()}] {notification.title}")
        message = EmailMultiAlternatives(
            subject=subject[:200],
            body=render_to_string("notifications/email/notification.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=self.config["recipients"],
            headers={"X-Adolf-Event": one_line(notification.event_type), "X-Adolf-Delivery": idempotency_key},
        )
        message.attach_alternative(render_to_string("notifications/email/notification.html", context), "text/html")
        try:
            # EMAIL_TIMEOUT bounds the SMTP connection; the backend raises instead of hiding errors.
            if self._connection is not None:
                self._connection.open()  # a no-op while the session is open
                message.connection = self._connection
                message.send()
            else:
                with get_connection(fail_silently=False) as connection:
                    message.connection = connection
                    message.send()
        except (smtplib.SMTPException, OSError) as exc:
            if self._connection is not None:
                # The session may be unusable now (or in the middle of a refused mail): the next
                # mail opens a fresh one.
                self._close(self._connection)
            raise smtp_failure(exc) from exc
        return None
