"""Secrets never reach the logs: a worker at DEBUG polls, delivers and calls back; its log holds no key or token."""

from __future__ import annotations

import json
import logging

import pytest
from django.conf import settings

from notifications.models import Delivery
from shop.models import PollRun
from tests.factories.notifications import BOT_TOKEN, WEBHOOK_SECRET, telegram_channel, webhook_channel
from tests.integrations.conftest import make_service, submit
from tests.shop.conftest import ago, store_for
from tests.support.brokers import private_broker
from tests.support.loopback import LoopbackServer, Reply
from tests.support.processes import start_worker, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CALLBACK_TOKEN = "cb-token-never-logged-5a4b3c"
TELEGRAM_OK = Reply(200, {"ok": True, "result": {"message_id": 1}})
TELEGRAM_BLOCKED = Reply(403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"})


def test_a_worker_at_debug_level_logs_no_store_key_bot_token_webhook_secret_or_callback_token(
    sim, client, microservice, tmp_path, caplog
):
    good = store_for(sim, slug="good")
    bad = store_for(sim, slug="bad")
    bad.consumer_secret = "cs_wrong_but_still_secret_77"
    bad.save()
    sim.store.create_order(status="processing", at=ago(sim, minutes=1))
    service = make_service("auth", microservice.url, token=CALLBACK_TOKEN)
    microservice.then(Reply(503))
    env, sender = private_broker(tmp_path / "data")
    with LoopbackServer(TELEGRAM_OK) as telegram, LoopbackServer(Reply(200)) as hook:
        telegram.then(TELEGRAM_OK, TELEGRAM_BLOCKED)
        hook.then(Reply(503))
        telegram_channel(name="ops chat")
        telegram_channel(chat_id="999", name="blocked chat")
        webhook_channel(hook.url)
        worker = start_worker(
            tmp_path, control=sender, LOG_LEVEL="DEBUG", LOG_FORMAT="json", TELEGRAM_API_BASE=telegram.url, **env
        )
        try:
            for store in (good, bad):
                sender.send_task("shop.poll_orders", kwargs={"store_id": store.pk}, queue="default")
            sender.send_task("auth.cleanup_expired_tokens", args=[7], queue="auth", task_id="cleanup-1")
            wait_for(lambda: PollRun.objects.exclude(outcome="running").count() == 2, timeout=60, what="both polls")
            wait_for(
                lambda: Delivery.objects.filter(status__in=["sent", "failed", "held"]).count() >= 3,
                timeout=60,
                what="the deliveries",
            )
            wait_for(lambda: len(microservice.received) == 2, timeout=60, what="the callback's retry")
        finally:
            worker.stop()
            sender.close()
    with caplog.at_level(logging.DEBUG):
        api_token = service.issue_api_token()
        submit(client, api_token, {"task": "auth.cleanup_expired_tokens", "args": [1]})

    log = worker.log()
    secrets = {
        "consumer key": sim.store.read_key.key,
        "consumer secret": sim.store.read_key.secret,
        "wrong secret": "cs_wrong_but_still_secret_77",
        "bot token": BOT_TOKEN,
        "bot token's secret half": BOT_TOKEN.split(":")[1],
        "webhook secret": WEBHOOK_SECRET,
        "callback token": CALLBACK_TOKEN,
        "field encryption key": settings.FIELD_ENCRYPTION_KEYS[0],
    }
    assert {name for name, secret in secrets.items() if secret in log} == set()
    assert api_token not in caplog.text
    assert CALLBACK_TOKEN not in caplog.text
    # The log is worth reading: structured lines naming the store and the task.
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    polls = [line for line in lines if line["logger"] == "shop.polling"]
    assert {line["store"] for line in polls} == {good.pk, bad.pk}
    assert all(line["task"] == "shop.poll_orders" and line["task_id"] for line in polls)
    assert any("AuthenticationError" in line["msg"] or "AuthenticationError" in line.get("exc", "") for line in lines)
    assert any(line["logger"] == "notifications.channels" and "disabled" in line["msg"] for line in lines)
