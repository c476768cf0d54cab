"""manage.py check_store: the admin's Test connection from a shell, one line per finding, exit 0 / 1."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from shop.models import OrderEvent, SetAsideOrder, Store
from tests.shop.conftest import ago
from tests.support.certificates import issue, make_ca, tls_store
from tests.support.processes import PROJECT_ROOT, child_env

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

STAGING = make_ca("Staging CA")
CLOCK = r"\[ok\] clock: the store's clock is [+-][01] s from ours"


def check(slug: str, *options: str) -> tuple[int, list[str], str]:
    """Run check_store; return its exit status, its lines and what it said on failing."""
    out = StringIO()
    try:
        call_command("check_store", slug, *options, stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue().splitlines(), str(exc)
    return 0, out.getvalue().splitlines(), ""


def row(server, *, read_only: bool = False, **fields) -> Store:
    key = server.store.read_key if read_only else server.store.rw_key
    fields.setdefault("ca_certificate", STAGING.cert_pem)
    fields.setdefault("consumer_key", key.key)
    fields.setdefault("consumer_secret", key.secret)
    return Store.objects.create(name="Staging", slug="staging", base_url=server.url, **fields)


@pytest.fixture
def staging(tmp_path):
    leaf = issue(STAGING)
    with tls_store(leaf, tmp_path) as server:
        server.leaf = leaf
        yield server


def test_a_store_whose_polls_can_work_prints_every_check_and_exits_0(staging):
    row(staging)
    status, lines, _ = check("staging")

    assert status == 0
    assert lines[0].startswith("[ok] trust: the OS trust store (")
    assert lines[0].endswith("; the store's own CA certificate")
    assert lines[1:8] == [
        "[ok] certificate: the certificate of 127.0.0.1 is trusted (CN=127.0.0.1, issued by CN=Staging CA, "
        f"valid until {staging.leaf.certificate.not_valid_after_utc:%Y-%m-%d})",
        f"[ok] reachable: {staging.url} answers",
        "[ok] woocommerce: WooCommerce REST API v3 is present",
        "[ok] keys: the key is accepted",
        "[ok] version: WooCommerce 10.5.0",
        "[ok] read orders: orders can be read",
        "[ok] write: the key may write (webhooks can be registered)",
    ]
    assert re.fullmatch(CLOCK, lines[8])
    assert lines[9:] == ["[ok] last poll: not polled yet"]


def test_a_refused_key_fails_and_exits_1(staging):
    row(staging, consumer_secret="cs_wrong")
    status, lines, said = check("staging")

    assert status == 1
    assert (
        "[fails] keys: the store refused the key: authentication refused (HTTP 401 "
        "woocommerce_rest_authentication_error: Consumer secret is invalid.) — check the consumer key and secret"
    ) in lines
    assert said == "polls of staging cannot work: 1 problem"


def test_a_read_only_key_is_a_warning_unless_writing_is_asked_for(staging):
    row(staging, read_only=True)
    read_only = (
        "[{}] write: the key is read-only (authentication refused (HTTP 401 woocommerce_rest_authentication_error: "
        "The API key provided does not have write permissions.)): polls work; registering webhooks needs a "
        "Read/Write key"
    )
    status, lines, _ = check("staging")
    assert (status, read_only.format("warning") in lines) == (0, True)

    status, lines, _ = check("staging", "--write")
    assert (status, read_only.format("fails") in lines) == (1, True)


def test_a_store_without_its_ca_names_the_certificate_problem(staging):
    row(staging, ca_certificate="")
    status, lines, _ = check("staging")

    assert status == 1
    assert lines[1:] == [
        "[fails] certificate: the certificate of 127.0.0.1 is signed by a CA that this server does not know (unable "
        "to get local issuer certificate) (it presents CN=127.0.0.1, for localhost, 127.0.0.1, issued by "
        f"CN=Staging CA, valid until {staging.leaf.certificate.not_valid_after_utc:%Y-%m-%d}) — for a private CA, "
        "give its certificate to the store's CA certificate (in the admin, or add_store --ca-file) or to "
        "SSL_CERT_FILE; for a public CA, the store's web server must also send its intermediate certificates",
        "[ok] last poll: not polled yet",
    ]


def test_a_disabled_store_that_has_been_failing_says_both(staging):
    row(staging, enabled=False, failing_since=timezone.now() - timedelta(hours=1), last_error="Staging: boom\nsample")
    status, lines, _ = check("staging")

    since = (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%d %H")
    assert status == 0
    assert lines[-2] == "[warning] polling: the store is disabled: it is polled once “enabled” is ticked"
    assert re.fullmatch(rf"\[warning\] last poll: polls have failed since {since}:\d\d UTC: Staging: boom", lines[-1])


def test_an_mcp_store_is_checked_through_its_own_api(staging):
    row(staging, api="mcp-legacy")
    status, lines, _ = check("staging")

    assert status == 0
    assert [line.split(":")[0] for line in lines] == [
        "[ok] trust", "[ok] certificate", "[ok] session", "[ok] read orders", "[ok] clock", "[ok] last poll",
    ]  # fmt: skip
    assert lines[2] == "[ok] session: MCP session opened at /wp-json/woocommerce/mcp"


def test_what_an_mcp_adapter_stores_api_cannot_see_is_a_warning_each(staging):
    user, password = next(iter(staging.store.app_passwords.items()))
    row(staging, api="mcp-adapter", consumer_key=user, consumer_secret=password)
    status, lines, _ = check("staging", "--language", "ru")

    assert status == 0
    warnings = [line for line in lines if line.startswith("[внимание]")]
    assert [line.split(": ", 1)[0] for line in warnings] == ["[внимание] не видно"] * 5
    assert warnings[3] == "[внимание] не видно: веб-хуки: их регистрация и чтение их заказов возможны только через REST"
    assert warnings[4].startswith("[внимание] не видно: открыт или изменён: без примечаний и возвратов заказа")


def test_in_a_russian_deployment_every_finding_reads_russian(staging, settings):
    settings.LANGUAGE_CODE = "ru"
    row(staging)
    status, lines, _ = check("staging")

    assert status == 0
    assert re.fullmatch(
        r"\[ок\] доверие: хранилище доверенных сертификатов ОС \(.*; собственный сертификат УЦ магазина", lines[0]
    )
    assert lines[1:8] == [
        "[ок] сертификат: сертификату 127.0.0.1 можно доверять (CN=127.0.0.1, выдан CN=Staging CA, "
        f"действителен до {staging.leaf.certificate.not_valid_after_utc:%Y-%m-%d})",
        f"[ок] доступность: {staging.url} отвечает",
        "[ок] WooCommerce: REST API WooCommerce v3 на месте",
        "[ок] ключи: ключ принят",
        "[ок] версия: WooCommerce 10.5.0",
        "[ок] чтение заказов: заказы читаются",
        "[ок] запись: ключу можно писать (вебхуки можно регистрировать)",
    ]
    assert re.fullmatch(r"\[ок\] часы: часы магазина расходятся с нашими на [+-][01] с", lines[8])
    assert lines[9:] == ["[ок] последний опрос: ещё не опрашивался"]


def test_in_a_russian_deployment_a_refused_key_and_a_missing_ca_read_russian(staging, settings):
    settings.LANGUAGE_CODE = "ru"
    row(staging, ca_certificate="", consumer_secret="cs_wrong")
    status, lines, said = check("staging")

    assert status == 1
    assert lines[1].startswith(
        "[сбой] сертификат: сертификат 127.0.0.1 подписан УЦ, которого этот сервер не знает (unable to get local "
        "issuer certificate) (он предъявляет CN=127.0.0.1, для localhost, 127.0.0.1, выдан CN=Staging CA, "
        "действителен до "
    )
    assert lines[1].endswith(
        "если УЦ частный, укажите его сертификат как сертификат УЦ магазина (в админке или add_store --ca-file) "
        "или добавьте в SSL_CERT_FILE; если публичный, веб-сервер магазина должен отправлять и промежуточные "
        "сертификаты"
    )
    assert said == "опросы staging не могут работать: 1 проблема"

    Store.objects.filter(slug="staging").update(ca_certificate=STAGING.cert_pem)
    status, lines, said = check("staging")
    assert (
        "[сбой] ключи: магазин не принял ключ: в доступе отказано (HTTP 401 woocommerce_rest_authentication_error: "
        "Consumer secret is invalid.) — проверьте ключ клиента (consumer key) и секрет (consumer secret)"
    ) in lines


def test_the_language_option_prints_english_findings_in_a_russian_deployment(staging, settings):
    settings.LANGUAGE_CODE = "ru"
    row(staging)
    status, lines, _ = check("staging", "--language", "en")

    assert status == 0
    assert lines[2:4] == [
        f"[ok] reachable: {staging.url} answers",
        "[ok] woocommerce: WooCommerce REST API v3 is present",
    ]
    assert lines[-1] == "[ok] last poll: not polled yet"


def test_an_unknown_store_is_a_usage_error():
    assert check("nope") == (2, [], "no store with slug or id 'nope'")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_ssl_cert_file_naming_the_company_ca_lets_a_shell_poll_the_store(tmp_path):
    company = make_ca("Company CA")
    with tls_store(issue(company), tmp_path) as server:
        row(server, ca_certificate="")
        server.store.create_order(status="processing", at=ago(server, minutes=1))
        system_bundle = os.environ.get("SSL_CERT_FILE", "")

        def manage(*args: str, cert_file: str) -> subprocess.CompletedProcess:
            return subprocess.run(
                [sys.executable, "manage.py", *args], cwd=PROJECT_ROOT, env=child_env(SSL_CERT_FILE=cert_file),
                capture_output=True, text=True, timeout=60,
            )  # fmt: skip

        refused = manage("check_store", "staging", "--language", "en", cert_file=system_bundle)
        assert refused.returncode == 1, refused.stderr
        assert "[fails] certificate: the certificate of 127.0.0.1 is signed by a CA that this server does not know" in (
            refused.stdout
        )

        trusted = manage("check_store", "staging", cert_file=company.cert_file(tmp_path))
        assert trusted.returncode == 0, trusted.stdout + trusted.stderr
        assert f"SSL_CERT_FILE={tmp_path / 'ca.pem'}" in trusted.stdout.splitlines()[0]

        polled = manage("poll_orders", "--store", "staging", cert_file=company.cert_file(tmp_path))
        assert polled.returncode == 0, polled.stderr
    assert re.match(r"staging: 1 page\(s\), 1 order\(s\), 1 event\(s\)", polled.stdout)
    assert OrderEvent.objects.count() == 1


def test_what_polling_learned_follows_the_connection_and_only_orders_set_aside_and_unknown_statuses_warn(staging):
    store = row(staging, page_cap=10, ignores_modified_after=timezone.now(), unknown_statuses={"awaiting-fitting": ""})
    SetAsideOrder.objects.create(
        store=store, order_id=7, key="7", reason="order 7: total '1e20' is too large for an order",
        window_start=timezone.now(), last_tried=timezone.now(),
    )  # fmt: skip
    Store.objects.filter(pk=store.pk).update(orders_set_aside=1)

    with translation.override("en"):
        status, lines, _ = check("staging")

    assert status == 0
    assert [line.split(": ", 1)[0] for line in lines[-4:]] == [
        "[ok] listing", "[ok] listing", "[warning] orders set aside", "[warning] statuses",
    ]  # fmt: skip
    assert lines[-4] == (
        "[ok] listing: The store serves at most 10 orders a page whatever per_page asks (a plugin?); ADOLF pages by "
        "what it serves."
    )
    assert "(#7: order 7: total '1e20' is too large for an order)" in lines[-2]
