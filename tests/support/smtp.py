"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives and can refuse on cue."""

from __future__ import annotations

import socket
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from django.test import override_settings


class SmtpSink:
    """Accept mail like a relay would, or refuse on cue.

    `refuse_next(code_and_text)` answers RCPT TO with an error once; `refuse_data_next`
    answers DATA (the message itself) with an error once. `connections` counts the SMTP
    sessions mail arrived over (aiosmtpd makes a session object per client connection).
    """

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refusals: deque[str] = deque()
        self.data_refusals: deque[str] = deque()
        # Keyed by id(), holding the session itself so no later one can reuse its id.
        self._sessions: dict[int, object] = {}
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def refuse_next(self, *replies: str) -> SmtpSink:
        self.refusals.extend(replies)
        return self

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # aiosmtpd hook names
        if self.refusals:
            return self.refusals.popleft()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def refuse_data_next(self, *replies: str) -> SmtpSink:
        self.data_refusals.extend(replies)
        return self

    async def handle_DATA(self, server, session, envelope):
        if self.data_refusals:
            return self.data_refusals.popleft()
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self._sessions.setdefault(id(session), session)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    @property
    def connections(self) -> int:
        """Return how many SMTP sessions delivered at least one message."""
        return len(self._sessions)

    def __enter__(self) -> SmtpSink:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


@contextmanager
def smtp_relay(**settings: str) -> Iterator[SmtpSink]:
    """Run an SmtpSink with Django's SMTP backend pointed at it, plain and without a login."""
    with (
        SmtpSink() as sink,
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=sink.port, EMAIL_USE_TLS=False, EMAIL_HOST_USER="", EMAIL_HOST_PASSWORD="", **settings,
        ),
    ):  # fmt: skip
        yield sink
