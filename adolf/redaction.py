"""Take credentials out of text before it is shown or stored: URLs' passwords, keys in query strings, tokens in paths.

The rule is that secrets never reach a message at all (adolf.http names requests without
their query or user info; transports name no URL). This is the second line: applied where
text from elsewhere (an exception, a library's log line, a peer's answer) is logged, stored
as an error or shown on a page or in command output.
"""

from __future__ import annotations

import re

MASK = "***"

_PATTERNS = [
    # scheme://user:password@host → scheme://user:***@host
    # (to the last "@" of the word: an unencoded password may hold "@" itself)
    (re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]*:)\S*@"), rf"\g<head>{MASK}@"),
    # ?consumer_secret=…&token=… (WooCommerce's query-string keys, API keys, passwords)
    (
        re.compile(
            r"(?P<head>[?&;](?:consumer_key|consumer_secret|password|passwd|pwd|token|access_token|api_key|apikey"
            r"|secret|key|signature|oauth_signature)=)[^&\s#\"']+",
            re.IGNORECASE,
        ),
        rf"\g<head>{MASK}",
    ),
    # A Telegram bot token in a Bot API path: /bot123456:AAE…/sendMessage
    (re.compile(r"(?P<head>/bot)\d+:[A-Za-z0-9_-]{20,}"), rf"\g<head>{MASK}"),
    # A webhook receiver's URL token (shop's /shop/webhooks/<token>/, 32 URL-safe characters):
    # it is what lets a caller post as the store, and Django logs the path of a request it
    # answers with 4xx/5xx. WooCommerce's own /webhooks/<id> are short numbers, left as they are.
    (re.compile(r"(?P<head>/webhooks/)[A-Za-z0-9_-]{16,}"), rf"\g<head>{MASK}"),
    # Authorization: Bearer … / Basic …
    (re.compile(r"(?P<head>\b(?:Bearer|Basic) )[A-Za-z0-9._~+/=-]{8,}"), rf"\g<head>{MASK}"),
]


def redact(text: str) -> str:
    """Return the text with every credential it carries replaced by ***."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text
