"""The store form's bad-input corpus: each bad value gets its clear error and nothing is saved."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from shop.models import Store
from tests.support.certificates import issue, make_ca

pytestmark = pytest.mark.django_db

GOOD = {
    "name": "Shop", "slug": "shop", "base_url": "https://shop.example", "api": "rest", "consumer_key": "ck_1",
    "consumer_secret": "cs_1", "poll_interval": "60", "first_poll_lookback": "60", "overlap": "120",
    "event_types": ["shop.order.new"], "enabled": "on",
}  # fmt: skip

BAD = [
    ({"base_url": "ftp://shop.example"}, "должен выглядеть как https://"),
    ({"base_url": "not a url"}, "Введите правильный URL"),
    ({"base_url": "http://shop.example"}, "обычный http"),
    ({"base_url": "https://shop.example/?page=2"}, "строки запроса"),
    ({"base_url": "https://admin:hunter2@shop.example"}, "не должно быть имени пользователя или пароля"),
    ({"api": "soap"}, "soap"),
    ({"poll_interval": "5"}, "10"),
    ({"poll_interval": "100000"}, "86400"),
    ({"poll_interval": "often"}, "целое число"),
    ({"overlap": "7200"}, "3600"),
    ({"first_poll_lookback": "-1"}, "0"),
    ({"consumer_key": ""}, "Обязательное поле"),
    ({"consumer_secret": ""}, "Обязательное поле"),
    ({"event_types": ["shop.order.exploded"]}, "shop.order.exploded"),
    ({"slug": "not a slug!"}, "slug"),
    ({"name": ""}, "Обязательное поле"),
]

CA = make_ca("Staging CA")
BAD_CA = [
    ({"ca_certificate": issue(CA).key_pem}, "здесь есть закрытый ключ: укажите только сертификат"),
    ({"ca_certificate": "MIIBszCCAVmgAwIBAgIU"}, "это не сертификат PEM"),
    (
        {"ca_certificate": "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----"},
        "сертификат не читается",
    ),
    ({"ca_certificate": make_ca("Old CA", expired=True).cert_pem}, "срок действия сертификата CN=Old CA истёк"),
    ({"ca_certificate": issue(CA).cert_pem}, "— сертификат сервера, выданный CN=Staging CA, а не УЦ"),
    (
        {"base_url": "http://shop.example", "allow_http": "on", "ca_certificate": CA.cert_pem},
        "сертификат УЦ имеет смысл только для магазина на https",
    ),
]
BAD += BAD_CA


IDS = [f"{next(iter(change))}-{i}" for i, (change, _) in enumerate(BAD)]


@pytest.fixture
def operator(client):
    client.force_login(get_user_model().objects.create_superuser("operator", password="a-long-password-1"))
    return client


@pytest.mark.parametrize(("change", "error"), BAD, ids=IDS)
def test_adding_a_store_with_a_bad_value_shows_the_error_and_saves_nothing(operator, change, error):
    response = operator.post("/admin/shop/store/add/", {**GOOD, **change})

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Store.objects.exists()


@pytest.mark.parametrize(("change", "error"), BAD[:10] + BAD_CA, ids=IDS[:10] + IDS[-len(BAD_CA) :])
def test_editing_a_store_with_a_bad_value_changes_nothing(operator, change, error):
    assert operator.post("/admin/shop/store/add/", GOOD).status_code == 302
    before = Store.objects.values().get()

    response = operator.post(f"/admin/shop/store/{before['id']}/change/", {**GOOD, **change, "name": "Renamed"})

    assert response.status_code == 200
    assert error in response.content.decode()
    assert Store.objects.values().get() == before


def test_a_duplicate_slug_is_refused(operator):
    operator.post("/admin/shop/store/add/", GOOD)

    response = operator.post("/admin/shop/store/add/", {**GOOD, "name": "Other"})

    assert response.status_code == 200
    assert Store.objects.count() == 1
