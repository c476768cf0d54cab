"""Credentials that reach a message from elsewhere are masked wherever it is logged, stored or shown."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest
from django.test import override_settings

from adolf.logs import JsonFormatter, KeyValueFormatter
from adolf.redaction import redact
from integrations.callbacks import CallbackRejected, call_service
from notifications.dispatch import deliver
from tests.factories.notifications import DeliveryFactory, telegram_channel
from tests.integrations.conftest import make_service
from tests.support.deliveries import reload
from tests.support.loopback import LoopbackServer, Reply
from tests.support.processes import PROJECT_ROOT, child_env

SECRET = "hunter2-s3cret"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f"redis://:{SECRET}@cache:6379/0 refused", "redis://:***@cache:6379/0 refused"),
        (f"postgres://adolf:{SECRET}@db/adolf", "postgres://adolf:***@db/adolf"),
        (f"redis://:a+b/c=d#e:{SECRET}@f,g@cache:6379/0", "redis://:***@cache:6379/0"),
        (
            f"GET /wc/v3/orders?consumer_key=ck_1&consumer_secret={SECRET}&page=2",
            "GET /wc/v3/orders?consumer_key=***&consumer_secret=***&page=2",
        ),
        ("POST /bot123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-ZZ/sendMessage", "POST /bot***/sendMessage"),
        (f"Authorization: Bearer {SECRET}", "Authorization: Bearer ***"),
        ("Unauthorized: /shop/webhooks/q1W-e2R_t3Y4u5I6o7P8a9S0d1F2g3H4/", "Unauthorized: /shop/webhooks/***/"),
        ("DELETE /wp-json/wc/v3/webhooks/4711", "DELETE /wp-json/wc/v3/webhooks/4711"),
        ("https://shop.example/wp-json/wc/v3/orders?page=2", "https://shop.example/wp-json/wc/v3/orders?page=2"),
    ],
)
def test_credentials_in_urls_query_strings_paths_and_headers_are_masked(text, masked):
    assert redact(text) == masked


def test_log_lines_never_carry_a_password_from_a_url():
    try:
        raise ConnectionError(f"Cannot connect to redis://:{SECRET}@cache:6379/0")
    except ConnectionError:
        record = logging.LogRecord(
            "kombu", logging.ERROR, __file__, 1, "broker %s down", (f"redis://:{SECRET}@c",), True
        )
        record.exc_info = sys.exc_info()
    for formatter in (KeyValueFormatter(), JsonFormatter()):
        line = formatter.format(record)
        assert SECRET not in line
        assert "redis://:***@c" in line


@pytest.mark.django_db
def test_an_error_a_peer_sends_back_is_stored_without_the_credentials_it_quotes():
    said = f"Bad Request: message is too long, see https://bot:{SECRET}@help.example/limits"
    with LoopbackServer(Reply(400, {"ok": False, "error_code": 400, "description": said})) as telegram:
        with override_settings(TELEGRAM_API_BASE=telegram.url):
            delivery = DeliveryFactory(channel=telegram_channel())
            assert deliver(delivery.pk) == "failed"

    delivery = reload(delivery)
    assert SECRET not in delivery.last_error + delivery.channel.last_error
    assert "https://bot:***@help.example/limits" in delivery.last_error


@pytest.mark.django_db
def test_a_refused_callback_names_the_url_without_its_user_info():
    with LoopbackServer(Reply(404, "no such task")) as server:
        service = make_service("auth", server.url.replace("http://", f"http://auth:{SECRET}@"))
        with pytest.raises(CallbackRejected) as refused:
            call_service(service, "auth.cleanup_expired_tokens", "task-1", {"days": 7})

    assert SECRET not in str(refused.value)
    assert "answered HTTP 404: no such task" in str(refused.value)


@pytest.mark.e2e
@pytest.mark.django_db
def test_shop_status_shows_no_password_of_an_unreachable_broker():
    result = subprocess.run(
        [sys.executable, "manage.py", "shop_status", "--json", "--timeout", "1"],
        cwd=PROJECT_ROOT, env=child_env(CELERY_BROKER_URL=f"redis://:{SECRET}@127.0.0.1:1/0"),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    report = json.loads(result.stdout)
    assert report["queues"]["error"].startswith("broker unreachable")
    assert SECRET not in result.stdout + result.stderr
