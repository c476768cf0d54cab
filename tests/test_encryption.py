"""Secrets stored in the database are Fernet tokens, and keys can be rotated."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.test import override_settings

from adolf.fields import DecryptionError, decrypt, encrypt, rotate

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def test_a_secret_round_trips_and_is_not_stored_in_clear():
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD]):
        token = encrypt("cs_secret_value")
        assert "cs_secret_value" not in token
        assert decrypt(token) == "cs_secret_value"


def test_after_rotation_old_tokens_still_decrypt_and_rotate_to_the_new_key():
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD]):
        old_token = encrypt("ck_key")
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW, OLD]):
        assert decrypt(old_token) == "ck_key"
        new_token = rotate(old_token)
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW]):
        assert decrypt(new_token) == "ck_key"


def test_a_token_from_an_unknown_key_raises_a_clear_error():
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD]):
        token = encrypt("secret")
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW]), pytest.raises(DecryptionError, match="FIELD_ENCRYPTION_KEY"):
        decrypt(token)
