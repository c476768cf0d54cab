"""A store whose keys were encrypted with a lost key fails its polls on record, alerts once, and keeps its keys.

Before: every poll raised DecryptionError while loading the store — no poll run, the store
not marked failing, no alert — and the store's admin page answered 500.
"""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from notifications.models import Notification
from shop.alerts import STORE_MISCONFIGURED
from shop.clients import SecretsUnreadableError
from shop.models import PollRun, Store
from shop.polling import poll_store

pytestmark = pytest.mark.django_db

LOST_KEY = Fernet.generate_key().decode()


@pytest.fixture
def store_of_a_lost_key(settings):
    settings.LANGUAGE_CODE = "en"
    current = list(settings.FIELD_ENCRYPTION_KEYS)
    settings.FIELD_ENCRYPTION_KEYS = [LOST_KEY]
    store = Store.objects.create(
        name="Old keys",
        slug="old-keys",
        base_url="https://shop.example",
        consumer_key="ck_old",
        consumer_secret="cs_old",
    )
    settings.FIELD_ENCRYPTION_KEYS = current  # replaced without the old key
    return store


def test_each_poll_fails_on_record_and_one_alert_says_how_to_fix_it(store_of_a_lost_key):
    for _ in range(2):
        with pytest.raises(SecretsUnreadableError):
            poll_store(store_of_a_lost_key.pk)

    runs = PollRun.objects.filter(store=store_of_a_lost_key)
    assert [run.outcome for run in runs] == [PollRun.Outcome.FAILED] * 2
    store = Store.objects.get(pk=store_of_a_lost_key.pk)
    assert store.failing_since is not None
    assert "FIELD_ENCRYPTION_KEY" in store.last_error
    alert = Notification.objects.get(event_type=STORE_MISCONFIGURED)
    assert alert.title == "Store Old keys cannot be polled: its API keys cannot be decrypted"
    assert "rotate_encryption_keys" in alert.message
    assert "The store said" not in alert.message


def test_the_admin_page_loads_and_saving_it_keeps_the_keys_for_the_old_key_to_read(
    store_of_a_lost_key, client, settings
):
    admin = get_user_model().objects.create_superuser("operator", password="a-long-password-1")
    client.force_login(admin)
    page = f"/admin/shop/store/{store_of_a_lost_key.pk}/change/"
    assert client.get(page).status_code == 200

    Store.objects.get(pk=store_of_a_lost_key.pk).save()  # as saving any other field does

    settings.FIELD_ENCRYPTION_KEYS = [*settings.FIELD_ENCRYPTION_KEYS, LOST_KEY]  # the old key listed again
    store = Store.objects.get(pk=store_of_a_lost_key.pk)
    assert (store.consumer_key, store.consumer_secret) == ("ck_old", "cs_old")


def test_rotating_the_keys_names_the_values_no_key_reads_and_leaves_them(store_of_a_lost_key, settings):
    readable = Store.objects.create(
        name="New keys",
        slug="new-keys",
        base_url="https://new.example",
        consumer_key="ck_new",
        consumer_secret="cs_new",
    )

    with pytest.raises(CommandError) as failure:
        call_command("rotate_encryption_keys", stdout=io.StringIO())

    assert f"shop.Store #{store_of_a_lost_key.pk}: consumer_key" in str(failure.value)
    assert f"#{readable.pk}" not in str(failure.value)
    assert Store.objects.get(pk=readable.pk).consumer_key == "ck_new"
    settings.FIELD_ENCRYPTION_KEYS = [*settings.FIELD_ENCRYPTION_KEYS, LOST_KEY]
    assert Store.objects.get(pk=store_of_a_lost_key.pk).consumer_secret == "cs_old"
