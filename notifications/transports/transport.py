"""The common base of every transport, and the one error type they raise."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from adolf.http import CertificateHttpError, HttpError

if TYPE_CHECKING:
    from notifications.models import Channel, Notification


class TransportError(Exception):
    """A delivery attempt failed.

    `permanent`: trying again cannot help (the channel gets disabled with this reason).
    `retry_after`: the peer said when to try again, in seconds.
    """

    def __init__(
        self, message: str, *, permanent: bool = False, retry_after: float | None = None, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.retry_after = retry_after
        self.status = status


@dataclass(frozen=True)
class Setting:
    """One configuration value a channel of this kind needs; the admin builds its form from these."""

    name: str
    label: Any
    secret: bool = False
    required: bool = True
    multiline: bool = False
    help_text: Any = ""
    clean: Callable[[str], Any] | None = None


class Transport:
    """Send one notification through one channel; subclasses decide what is permanent."""

    kind: ClassVar[str]
    settings: ClassVar[tuple[Setting, ...]] = ()

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.config: dict[str, Any] = channel.configuration or {}

    def send(self, notification: Notification, *, idempotency_key: str) -> int | None:
        """Deliver the notification or raise TransportError; return the peer's status code if any."""
        raise NotImplementedError

    @classmethod
    def clean_configuration(cls, raw: dict[str, str]) -> dict[str, Any]:
        """Return the configuration from raw form values, or raise ValidationError naming the field."""
        config: dict[str, Any] = {}
        errors: dict[str, list] = {}
        for setting in cls.settings:
            value = (raw.get(setting.name) or "").strip()
            if not value:
                if setting.required:
                    errors.setdefault(setting.name, []).append(_("This field is required for this kind of channel."))
                continue
            try:
                config[setting.name] = setting.clean(value) if setting.clean else value
            except ValidationError as exc:
                errors.setdefault(setting.name, []).extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return config


def http_failure(service: str, exc: HttpError, detail: str = "") -> TransportError:
    """Turn a typed HTTP error into a TransportError whose message names no URL (it may hold a token)."""
    if isinstance(exc, CertificateHttpError):
        # The problem names the host and the fix, never the path (which may hold a token).
        message = f"{service}: TLS: {exc.problem}"
    elif exc.status is None:
        # Connection refused, reset, timed out: the wrapper's message names the exception type.
        cause = exc.__cause__
        reason = type(cause).__name__ if cause is not None else "network error"
        message = f"{service}: no answer ({reason})"
    else:
        message = f"{service} answered HTTP {exc.status}"
    if detail:
        message += f": {detail}"
    return TransportError(message, permanent=exc.permanent, retry_after=exc.retry_after, status=exc.status)
