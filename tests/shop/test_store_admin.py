"""The admin is the operators' console: store health at a glance, secrets never shown back."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from shop.models import OrderEvent, PollRun, Store
from shop.polling import poll_store
from tests.shop.conftest import ago
from tests.support.processes import wait_for


@pytest.fixture
def operator(client, db):
    user = get_user_model().objects.create_superuser("operator", password="a-long-password-1")
    client.force_login(user)
    return client


def form_for(store: Store, **changes) -> dict:
    data = {
        "name": store.name, "slug": store.slug, "base_url": store.base_url, "api": store.api,
        "consumer_key": "", "consumer_secret": "", "allow_http": "on", "enabled": "on",
        "poll_interval": str(store.poll_interval), "first_poll_lookback": "60", "overlap": "120",
        "event_types": store.event_types,
    }  # fmt: skip
    data.update(changes)
    return data


def test_the_store_list_shows_last_poll_outcome_and_recent_events(sim, store, operator):
    sim.store.create_order(status="processing", at=ago(sim, minutes=1))
    poll_store(store.pk)

    page = operator.get("/admin/shop/store/").content.decode()

    assert "Simulated shop" in page
    assert 'class="field-last_outcome">успешно<' in page
    assert 'class="field-events_24h">1<' in page


def test_the_change_page_never_shows_a_secret_and_blank_keeps_it(sim, store, operator):
    secret = store.consumer_secret
    page = operator.get(f"/admin/shop/store/{store.pk}/change/").content.decode()
    assert secret not in page
    assert store.consumer_key not in page

    response = operator.post(f"/admin/shop/store/{store.pk}/change/", form_for(store, name="Renamed"))

    assert response.status_code == 302
    store.refresh_from_db()
    assert (store.name, store.consumer_secret) == ("Renamed", secret)


def test_a_bad_form_value_gets_a_clear_error_and_changes_nothing(sim, store, operator):
    response = operator.post(
        f"/admin/shop/store/{store.pk}/change/", form_for(store, base_url="http://elsewhere.example", allow_http="")
    )
    assert response.status_code == 200
    assert "обычный http" in response.content.decode()
    store.refresh_from_db()
    assert store.base_url == sim.url


def test_a_new_store_needs_its_keys(operator):
    response = operator.post(
        "/admin/shop/store/add/",
        form_for(Store(name="N", slug="n", base_url="https://n.example", api="rest", poll_interval=60, event_types=[])),
    )
    assert response.status_code == 200
    assert not Store.objects.exists()


def test_test_connection_shows_each_stores_findings_under_a_verdict(sim, store, operator):
    broken = Store.objects.create(
        name="Broken", slug="broken", base_url=sim.url, allow_http=True, consumer_key="ck_x", consumer_secret="cs_x"
    )
    response = operator.post(
        "/admin/shop/store/", {"action": "test_connection", "_selected_action": [store.pk, broken.pk]}, follow=True
    )

    shown = {message.message.split(":")[0]: message for message in response.context["messages"]}
    assert {name: message.level_tag for name, message in shown.items()} == {
        "Simulated shop": "warning",
        "Broken": "error",
    }
    working = shown["Simulated shop"].message.split("<br>")
    assert working[:6] == [
        "Simulated shop: опросы возможны, с предупреждениями",
        f"[ок] доступность: {sim.url} отвечает",
        "[ок] WooCommerce: REST API WooCommerce v3 на месте",
        "[ок] ключи: ключ принят",
        "[ок] версия: WooCommerce 10.5.0",
        "[ок] чтение заказов: заказы читаются",
    ]
    assert working[6] == (
        "[внимание] запись: ключ только для чтения (в доступе отказано (HTTP 401 "
        "woocommerce_rest_authentication_error: The API key provided does not have write permissions.)): "
        "опросы работают; для регистрации вебхуков нужен ключ с правами «Чтение/Запись»"
    )
    assert re.fullmatch(r"\[ок\] часы: часы магазина расходятся с нашими на [+-][01] с", working[7])
    assert working[8:] == ["[ок] последний опрос: ещё не опрашивался"]
    broken_lines = shown["Broken"].message.split("<br>")
    assert broken_lines[:4] == [
        "Broken: опросы невозможны",
        f"[ок] доступность: {sim.url} отвечает",
        "[ок] WooCommerce: REST API WooCommerce v3 на месте",
        "[сбой] ключи: магазин не принял ключ: в доступе отказано (HTTP 401 "
        "woocommerce_rest_authentication_error: Consumer key is invalid.) — проверьте ключ клиента (consumer key) "
        "и секрет (consumer secret)",
    ]
    assert re.fullmatch(r"\[ок\] часы: часы магазина расходятся с нашими на [+-][01] с", broken_lines[4])
    assert broken_lines[5:] == ["[ок] последний опрос: ещё не опрашивался"]
    page = response.content.decode()
    assert "[сбой] ключи: магазин не принял ключ" in page


def test_test_connection_speaks_the_language_the_operators_browser_asks_for(sim, store, operator):
    response = operator.post(
        "/admin/shop/store/",
        {"action": "test_connection", "_selected_action": [store.pk]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    lines = next(str(message) for message in response.context["messages"]).split("<br>")
    assert lines[:3] == [
        "Simulated shop: polls can work, with warnings",
        f"[ok] reachable: {sim.url} answers",
        "[ok] woocommerce: WooCommerce REST API v3 is present",
    ]
    assert re.fullmatch(r"\[ok\] clock: the store&#x27;s clock is [+-][01] s from ours", lines[7])
    assert lines[8:] == ["[ok] last poll: not polled yet"]


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_poll_now_queues_a_poll_that_a_worker_runs(sim, store, operator, celery_worker):
    sim.store.create_order(status="processing", at=ago(sim, minutes=1))
    response = operator.post("/admin/shop/store/", {"action": "poll_now", "_selected_action": [store.pk]}, follow=True)

    assert [str(message) for message in response.context["messages"]] == ["Поставлен в очередь опрос 1 магазина."]
    wait_for(lambda: PollRun.objects.filter(trigger="admin", outcome="ok").exists(), timeout=60, what="the poll")
    assert OrderEvent.objects.count() == 1


@pytest.mark.parametrize("model", ["pollrun", "orderstate", "orderevent"])
def test_history_is_read_only(operator, model):
    assert operator.get(f"/admin/shop/{model}/").status_code == 200
    assert operator.get(f"/admin/shop/{model}/add/").status_code == 403
