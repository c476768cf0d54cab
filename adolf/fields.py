"""Model fields whose values are encrypted at rest with FIELD_ENCRYPTION_KEYS (Fernet), and what keeps secrets there."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def validate_no_credentials(url: str) -> None:
    """Refuse a URL carrying a user name or password (raise ValidationError).

    A plain URL field is stored in clear and shown in lists and forms; a credential belongs
    in the encrypted field beside it (a store's keys, a service's callback token).
    """
    if "@" in urlsplit(url).netloc:
        raise ValidationError(
            _("Leave the user name and password out of the URL; put the secret in its own field, stored encrypted."),
            code="credentials_in_url",
        )


class DecryptionError(Exception):
    """A stored secret cannot be decrypted with any configured key."""


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def fernet() -> MultiFernet:
    """Return the MultiFernet of FIELD_ENCRYPTION_KEYS: it encrypts with the first key, decrypts with any."""
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    """Encrypt `plaintext` with the first FIELD_ENCRYPTION_KEY; return the Fernet token as text."""
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt a token made with any FIELD_ENCRYPTION_KEYS key; raise DecryptionError (how to rotate) if none fits."""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError(
            "A stored secret cannot be decrypted with FIELD_ENCRYPTION_KEY. Keep the old key "
            "after the new one when rotating (comma-separated) until `manage.py "
            "rotate_encryption_keys` has run."
        ) from None


def rotate(token: str) -> str:
    """Re-encrypt a token with the first (current) key."""
    return fernet().rotate(token.encode()).decode()


class UndecryptableText(str):
    """A stored secret no configured key decrypts (FIELD_ENCRYPTION_KEY replaced without the old one).

    It reads as "" so that a row still loads — the admin page, /health/, the status of
    every other secret — and keeps its token, so saving the row without entering the
    secret again writes the token back unchanged. Code that is about to use the secret
    asks `undecryptable()` and raises its own typed, permanent error.
    """

    token: str

    def __new__(cls, token: str) -> UndecryptableText:
        value = super().__new__(cls, "")
        value.token = token
        return value


class UndecryptableJSON(dict):
    """An encrypted JSON object no configured key decrypts: reads as {}, keeps its token (see UndecryptableText)."""

    token: str

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token


def undecryptable(*values: object) -> bool:
    """Whether any of these values was read from an encrypted field no configured key decrypts."""
    return any(isinstance(value, UndecryptableText | UndecryptableJSON) for value in values)


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; reads give back the plain text, or UndecryptableText."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        """Decrypt the stored token; blank and NULL stay as they are."""
        if value is None or value == "":
            return value
        try:
            return decrypt(value)
        except DecryptionError:
            return UndecryptableText(value)

    def get_prep_value(self, value: Any) -> str | None:
        """Encrypt the value for storing; blank and NULL are stored as they are."""
        if isinstance(value, UndecryptableText):
            return value.token
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


class EncryptedJSONField(models.TextField):
    """A JSON object stored as one Fernet token: for configuration holding secrets."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        """Decrypt the stored token and parse its JSON; blank and NULL read as {}."""
        if value is None or value == "":
            return {}
        try:
            return json.loads(decrypt(value))
        except DecryptionError:
            return UndecryptableJSON(value)

    def to_python(self, value: Any) -> Any:
        """Parse JSON text (a form's or a fixture's) into a value; anything else is already one."""
        if isinstance(value, str):
            return json.loads(value) if value else {}
        return value

    def get_prep_value(self, value: Any) -> str | None:
        """Encrypt the value's JSON (keys sorted) for storing; None stays NULL."""
        if value is None:
            return None
        if isinstance(value, UndecryptableJSON):
            return value.token
        return encrypt(json.dumps(value, sort_keys=True))

    def value_to_string(self, obj: models.Model) -> str:
        """Return the value as JSON for serialization (dumpdata): in clear, keys sorted."""
        return json.dumps(self.value_from_object(obj), sort_keys=True)
