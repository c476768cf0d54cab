"""Header values built safely from any text: one line, and plain ASCII where HTTP needs it.

A header value may not hold CR or LF (RFC 5322 §2.2 for mail, RFC 9110 §5.5 for HTTP):
Django raises BadHeaderError for such a mail subject and h11 LocalProtocolError for such an
HTTP header, and httpx refuses non-ASCII header values with UnicodeEncodeError. Each would
fail again on every attempt, so the values are made safe where they are built instead.
"""

from __future__ import annotations

import re
from urllib.parse import quote

# Line breaks (Unicode's too) and other control characters, with the blanks around them.
_BREAKS = re.compile(r"[ \t]*[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]+[ \t]*")
# What may stay as it is in an HTTP header value: visible ASCII and the space, except "%".
_HTTP_SAFE = "".join(chr(code) for code in range(0x20, 0x7F) if chr(code) != "%")


def one_line(value: object) -> str:
    """Return the text as one line: each run of line breaks or control characters becomes one space.

    "Payment failed\\nCard declined" → "Payment failed Card declined". Tabs are kept (they
    are allowed in header values); leading and trailing blanks are dropped.
    """
    return _BREAKS.sub(" ", str(value)).strip()


def http_header_value(value: object) -> str:
    """Return the text as a safe HTTP header value: one line, anything but visible ASCII percent-encoded.

    "заказ.новый" → "%D0%B7%D0%B0…" (UTF-8, as RFC 3986 percent-encoding); plain ASCII
    text other than "%" is left as it is.
    """
    return quote(one_line(value), safe=_HTTP_SAFE)
