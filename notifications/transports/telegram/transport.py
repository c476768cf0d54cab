"""Telegram Bot API sendMessage, HTML-formatted, within the 4096-character limit."""

from __future__ import annotations

import hashlib
import html
import re
from typing import TYPE_CHECKING, Any

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from adolf.headers import one_line
from adolf.http import HttpError, new_client, send
from notifications.transports.transport import Setting, Transport, TransportError, http_failure

if TYPE_CHECKING:
    from notifications.models import Notification

# Telegram counts the text after entity parsing; measuring the escaped HTML in UTF-16
# code units (as Telegram counts) is the conservative bound.
MESSAGE_LIMIT = 4096
# Broadcasting more than this per bot gets 429 answers (core.telegram.org/bots/faq).
BOT_MESSAGES_PER_SECOND = 30
CHAT_MESSAGE_INTERVAL = 1.0  # seconds: one message a second to one chat
ELLIPSIS = "…"
LEVEL_ICONS = {"info": "ℹ️", "warning": "⚠️", "error": "🛑"}
TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
# Bad Request descriptions that say the chat cannot be written to, whatever the message:
# the chat is gone or was never reachable, or the bot lost its rights there. Other 400s
# ("message is too long", "can't parse entities") refuse only the message at hand.
CHAT_GONE = re.compile(
    r"chat not found|peer_id_invalid|chat_write_forbidden|chat_id is empty|group chat was deactivated"
    r"|not enough rights|have no rights|need administrator rights|bot is not a member|bot was kicked"
    r"|user is deactivated",
    re.IGNORECASE,
)


def clean_token(value: str) -> str:
    if not TOKEN_PATTERN.match(value):
        raise ValidationError(_("A bot token looks like 123456789:AAE… (ask @BotFather)."))
    return value


def clean_chat_id(value: str) -> str:
    if not re.match(r"^(-?\d+|@[A-Za-z0-9_]{5,})$", value):
        raise ValidationError(_("A chat id is a number (e.g. -1001234567890) or a @channelname."))
    return value


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def truncate_escaped(escaped: str, limit: int) -> str:
    """Cut escaped HTML to `limit` UTF-16 units without splitting an entity like &amp;."""
    if utf16_length(escaped) <= limit:
        return escaped
    budget = limit - utf16_length(ELLIPSIS)
    cut = escaped
    while utf16_length(cut) > budget:
        # Drop a tail proportional to the excess; close in with few iterations on huge texts.
        excess = utf16_length(cut) - budget
        cut = cut[: len(cut) - max(1, excess // 2)]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + ELLIPSIS


def render(notification: Notification) -> str:
    """Return the message text: a bold title, the message, the source; escaped for parse_mode=HTML."""
    icon = LEVEL_ICONS.get(notification.level, "")
    # The title is the message's headline: one line, like a subject.
    head = f"{icon} <b>{html.escape(one_line(notification.title), quote=False)}</b>".strip()
    foot = f"\n\n<i>{html.escape(notification.source_module, quote=False)}"
    if notification.source_id:
        foot += f" · {html.escape(notification.source_id, quote=False)}"
    foot += "</i>"
    body = html.escape(notification.message, quote=False)
    room = MESSAGE_LIMIT - utf16_length(head) - utf16_length(foot) - 2
    return f"{head}\n\n{truncate_escaped(body, room)}{foot}" if body else f"{head}{foot}"


class TelegramTransport(Transport):
    kind = "telegram"
    settings = (
        Setting(
            "chat_id", _("chat id"), help_text=_("A user, group or channel the bot may write to."), clean=clean_chat_id
        ),
        Setting("bot_token", _("bot token"), secret=True, clean=clean_token),
    )

    _client: httpx.Client | None = None

    def __enter__(self) -> TelegramTransport:
        # One client for the block: consecutive messages reuse its kept-alive connection.
        self._client = new_client(base_url=settings.TELEGRAM_API_BASE)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def paces(self) -> list[tuple[str, float]]:
        """Telegram's limits: 30 messages a second per bot, one a second per chat (the Bot API FAQ)."""
        # The token is a secret: the bot is named by a digest of it.
        bot = hashlib.sha256(self.config["bot_token"].encode()).hexdigest()[:16]
        chat = f"telegram:chat:{bot}:{self.config['chat_id']}"
        return [(f"telegram:bot:{bot}", 1 / BOT_MESSAGES_PER_SECOND), (chat, CHAT_MESSAGE_INTERVAL)]

    def send(self, notification: Notification, *, idempotency_key: str) -> int | None:
        payload = {
            "chat_id": self.config["chat_id"],
            "text": render(notification),
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
        }
        client = self._client or new_client(base_url=settings.TELEGRAM_API_BASE)
        try:
            response = send(client, "POST", f"/bot{self.config['bot_token']}/sendMessage", json=payload)
        except HttpError as exc:
            raise self._failure(exc) from exc
        finally:
            if client is not self._client:
                client.close()
        return response.status_code

    def _failure(self, exc: HttpError) -> TransportError:
        """Read Telegram's error body: its description, retry_after and migrate_to_chat_id."""
        body: dict[str, Any] = {}
        if exc.response is not None:
            try:
                body = exc.response.json()
            except ValueError:
                body = {}
        parameters = body.get("parameters") or {}
        description = str(body.get("description") or "")[:300]
        new_chat_id = parameters.get("migrate_to_chat_id")
        if new_chat_id:
            # A group became a supergroup: follow it and try again at once.
            self.channel.configuration = {**self.config, "chat_id": str(new_chat_id)}
            self.channel.save(update_fields=["configuration"])
            return TransportError(f"Telegram: {description}; now using chat {new_chat_id}", retry_after=0)
        # 401 (token revoked), 403 (bot blocked or kicked) and 404 (no such bot) break the
        # channel by status; a 400 only when it says the chat cannot be written to.
        chat_gone = bool(CHAT_GONE.search(description)) if exc.status == 400 else None
        error = http_failure("Telegram", exc, description, channel_broken=chat_gone)
        if exc.status == 429 and parameters.get("retry_after") is not None:
            error.retry_after = float(parameters["retry_after"])
        return error
