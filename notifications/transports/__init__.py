"""One package per channel kind, each a Transport over the common base in transport.py.

In-app delivery needs no transport: the Notification row is the in-app message, shown in
the inbox (/notifications/) whatever the channels say.
"""

from __future__ import annotations

from notifications.transports.apprise.transport import AppriseTransport
from notifications.transports.email.transport import EmailTransport
from notifications.transports.telegram.transport import TelegramTransport
from notifications.transports.transport import Fault, Setting, Transport, TransportError
from notifications.transports.webhook.transport import WebhookTransport

TRANSPORTS: dict[str, type[Transport]] = {
    transport.kind: transport for transport in (EmailTransport, TelegramTransport, WebhookTransport, AppriseTransport)
}

__all__ = ["TRANSPORTS", "Fault", "Setting", "Transport", "TransportError", "transport_for"]


def transport_for(kind: str) -> type[Transport]:
    """Return the transport class of a channel kind."""
    return TRANSPORTS[kind]
