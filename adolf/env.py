"""Read typed settings from the environment, failing loudly on bad values."""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """Return the variable, or the contents of the file named by NAME_FILE."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_path} cannot be read: {exc.strerror}") from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    """Return the boolean environment variable `name` (true/false, yes/no, on/off, 1/0), `default` when unset.

    Raises ImproperlyConfigured for any other value: a typo must not silently read as false.
    """
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use true or false")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """Return the whole-number environment variable `name`, `default` when unset or blank.

    Raises ImproperlyConfigured when it is not a whole number or is below `minimum`.
    """
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below its minimum of {minimum}")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    """Return the comma-separated environment variable `name` as a list of its non-blank items, stripped."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# What may stand unencoded in a URL's user name or password: RFC 3986's unreserved
# characters and percent-escapes. The reserved ones (+ / = # : @ , ; ? …) mean something to
# some parser on the way (kombu splits broker URLs on "," and ";", "/" ends the host, "#"
# starts a fragment), which then reads part of the password as the host or port and may
# print it in an error message.
_CREDENTIAL = re.compile(r"^(?:[A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})*$")
ENCODE_HINT = "python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=\"\"))' 'PASSWORD'"


def env_url(name: str, default: str = "") -> str:
    """Return a URL from the environment, refusing credentials that are not percent-encoded.

    The error names the variable and how to encode, and never shows the value: it holds a
    password.
    """
    value = env_str(name, default)
    _scheme, separator, rest = value.partition("://")
    if not separator or "@" not in rest:
        return value
    # The password may hold "/" or "#" itself, so the credentials end at the last "@".
    user, _, password = rest.rpartition("@")[0].partition(":")
    if _CREDENTIAL.match(user) and _CREDENTIAL.match(password):
        return value
    raise ImproperlyConfigured(
        f"{name} is not a usable URL: its user name or password holds characters that must be "
        "percent-encoded (for example + / = # : @ , are %2B %2F %3D %23 %3A %40 %2C). Encode the password, "
        f"e.g. with {ENCODE_HINT}, and put the result in {name}. (The value is not shown: it holds a secret.)"
    )


def env_required(name: str, *, unless: bool, fallback: str) -> str:
    """Return a secret that production must set; `unless` allows the development fallback."""
    value = env_str(name)
    if value:
        return value
    if unless:
        return fallback
    raise ImproperlyConfigured(f"{name} is not set. It is required when DEBUG is off; see .env.example.")
