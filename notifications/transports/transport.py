"""The common base of every transport, the one error type they raise, and what each failure means."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.core.exceptions import ValidationError
from django.core.mail import BadHeaderError
from django.utils.translation import gettext_lazy as _

from adolf.http import CertificateHttpError, HttpError, InvalidRequestError

if TYPE_CHECKING:
    from notifications.models import Channel, Notification


class Fault(StrEnum):
    """What a failed attempt says is broken; the dispatcher acts on this alone (notifications.dispatch)."""

    # Nothing is known to be broken (unreachable, timed out, 5xx, 429): try again later,
    # with backoff, until the attempt budget is spent.
    TRANSIENT = "transient"
    # This notification can never go through this channel (the service rejects it as
    # malformed or too large): fail this delivery at once; the channel stays enabled.
    DELIVERY = "delivery"
    # The channel itself is broken (a revoked token, a blocked bot, a chat or endpoint
    # gone, refused recipients): disable it and keep its notifications until it is fixed.
    CHANNEL = "channel"


class TransportError(Exception):
    """A delivery attempt failed; `fault` says what is broken and so what happens next.

    `retry_after`: the peer said when to try again, in seconds (TRANSIENT only).
    `status`: the peer's status code (HTTP or SMTP), if it answered.
    """

    def __init__(
        self, message: str, *, fault: Fault = Fault.TRANSIENT, retry_after: float | None = None,
        status: int | None = None,
    ) -> None:  # fmt: skip
        super().__init__(message)
        self.message = message
        self.fault = fault
        self.retry_after = retry_after
        self.status = status

    @property
    def permanent(self) -> bool:
        """Whether trying again cannot help."""
        return self.fault is not Fault.TRANSIENT


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

    # A transport used as a context manager keeps what consecutive sends can share (an HTTP
    # client with its kept-alive connection, one SMTP session) open until the block ends;
    # outside one, each send opens and closes its own. notifications.batch sends a batch so.
    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def paces(self) -> list[tuple[str, float]]:
        """Return the rate limits a send through this channel falls under: (key, seconds between sends).

        Keys name what the service limits (a bot, a chat), never a secret (notifications.pacing).
        """
        return []

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


# Answers that mean the endpoint or the credentials are wrong, whatever was sent: the
# channel is broken. Other 4xx answers refuse this one request (malformed, too large).
CHANNEL_STATUSES = frozenset({401, 403, 404, 405, 410})


def http_failure(
    service: str, exc: HttpError, detail: str = "", *, channel_broken: bool | None = None
) -> TransportError:
    """Turn a typed HTTP error into a TransportError whose message names no URL (it may hold a token).

    The one place HTTP failures are classified: retryable answers and no answer are
    TRANSIENT; a refused TLS certificate, a redirect, an unusable URL or a CHANNEL_STATUSES
    answer break the CHANNEL; a request that cannot be sent as built, or any other 4xx,
    fails this DELIVERY. `channel_broken` overrides the 4xx rule for services whose error
    body says more (Telegram answers 400 both for "chat not found" and for a malformed message).
    """
    if isinstance(exc, CertificateHttpError):
        # The problem names the host and the fix, never the path (which may hold a token).
        message, fault = f"{service}: TLS: {exc.problem}", Fault.CHANNEL
    elif exc.status is None:
        if isinstance(exc, InvalidRequestError):
            message = f"{service}: the URL is not usable" if exc.in_url else f"{service}: the request cannot be sent"
            fault = Fault.CHANNEL if exc.in_url else Fault.DELIVERY
        else:
            # Connection refused, reset, timed out: the wrapper's message names the exception type.
            cause = exc.__cause__
            reason = type(cause).__name__ if cause is not None else "network error"
            message, fault = f"{service}: no answer ({reason})", Fault.TRANSIENT
    else:
        message = f"{service} answered HTTP {exc.status}"
        if not exc.permanent:
            fault = Fault.TRANSIENT
        elif exc.status < 400:
            fault = Fault.CHANNEL  # redirects are not followed: the configured URL is wrong
        elif channel_broken is not None:
            fault = Fault.CHANNEL if channel_broken else Fault.DELIVERY
        else:
            fault = Fault.CHANNEL if exc.status in CHANNEL_STATUSES else Fault.DELIVERY
    if detail:
        message += f": {detail}"
    return TransportError(message, fault=fault, retry_after=exc.retry_after, status=exc.status)


def unexpected_failure(exc: Exception) -> TransportError:
    """Classify an exception a transport did not turn into a TransportError itself.

    Errors in building what is sent (a header Django or the HTTP library refuses, text that
    cannot be encoded) recur on every attempt: they fail this DELIVERY. Anything else (a
    bug, an undecryptable secret) is retried as TRANSIENT, and its traceback is logged.
    """
    recurs = isinstance(exc, BadHeaderError | UnicodeError)
    return TransportError(f"{type(exc).__name__}: {exc}", fault=Fault.DELIVERY if recurs else Fault.TRANSIENT)
