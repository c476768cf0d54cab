"""The producer client pushes the same protocol-2 envelope as Celery's own send_task."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from celery import Celery

from integrations.client.celery_utils import build_message, queue_key, send_celery_task
from tests.integrations.conftest import PRODUCER_REDIS_URL


@pytest.fixture
def celery_producer():
    app = Celery("reference", broker=PRODUCER_REDIS_URL, set_as_current=False)
    yield app
    app.close()


def pop_one(producer_redis, key: str) -> dict:
    assert producer_redis.llen(key) == 1, f"expected one message in {key!r}"
    return json.loads(producer_redis.rpop(key))


def decoded_body(message: dict) -> list:
    return json.loads(base64.b64decode(message["body"]))


@pytest.mark.parametrize(
    "options",
    [{}, {"countdown": 30, "expires": 600, "priority": 6}],
    ids=["plain", "delayed-expiring-prioritised"],
)
def test_the_envelope_headers_and_properties_have_the_keys_celerys_send_task_uses(
    producer_redis, unique_queue, celery_producer, options
):
    args, kwargs = [42, "ann@example.com"], {"verification_link": "https://shop/v/abc"}
    celery_producer.send_task(
        "auth.send_verification_email", args, kwargs, queue=unique_queue, task_id="celery-made", **options
    )
    ours_id = send_celery_task(
        "auth.send_verification_email", args, kwargs, queue=unique_queue, connection=producer_redis, **options
    )

    key = queue_key(unique_queue, options.get("priority", 0))
    assert producer_redis.llen(key) == 2  # both went to the same list; the oldest pops first
    theirs, ours = json.loads(producer_redis.rpop(key)), json.loads(producer_redis.rpop(key))
    assert set(ours) == set(theirs)
    assert set(ours["headers"]) == set(theirs["headers"])
    assert set(ours["properties"]) == set(theirs["properties"])
    assert set(ours["properties"]["delivery_info"]) == set(theirs["properties"]["delivery_info"])
    assert decoded_body(ours) == decoded_body(theirs)
    for name in ("content-type", "content-encoding"):
        assert ours[name] == theirs[name]
    for name in ("lang", "task", "retries", "timelimit", "parent_id", "group", "shadow"):
        assert ours["headers"][name] == theirs["headers"][name], name
    assert ours["headers"]["id"] == ours["headers"]["root_id"] == ours["properties"]["correlation_id"] == ours_id
    for name in ("priority", "body_encoding", "delivery_mode", "delivery_info"):
        assert ours["properties"][name] == theirs["properties"][name], name
    assert ours["properties"]["delivery_tag"] != theirs["properties"]["delivery_tag"]


def test_eta_and_expires_are_iso_8601_utc_like_celerys():
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    message = build_message("order.send_order_confirmation", [1, "a@b.c"], None, "order",
                            task_id="t-1", countdown=90, expires=3600, now=now)  # fmt: skip
    assert message["headers"]["eta"] == "2026-03-01T12:01:30+00:00"
    assert message["headers"]["expires"] == "2026-03-01T13:00:00+00:00"
    assert datetime.fromisoformat(message["headers"]["eta"]) == now + timedelta(seconds=90)


@pytest.mark.parametrize(("priority", "key"), [(0, "auth"), (2, "auth"), (3, "auth\x06\x163"), (5, "auth\x06\x163"),
                                               (6, "auth\x06\x166"), (9, "auth\x06\x169")])  # fmt: skip
def test_priorities_go_to_kombus_priority_lists(priority, key):
    assert queue_key("auth", priority) == key


def test_the_queue_defaults_to_the_service_prefix_of_the_task_name(producer_redis):
    # A service name no worker consumes, so the message stays where the test can read it.
    service = f"test_{uuid.uuid4().hex[:12]}"
    task_id = send_celery_task(f"{service}.do_it", [1], connection=producer_redis)

    message = pop_one(producer_redis, service)
    assert message["headers"]["id"] == task_id
    assert message["properties"]["delivery_info"]["routing_key"] == service
    producer_redis.delete(f"adolf:sent-task:{task_id}")


def test_the_redis_settings_come_from_the_seeds_environment_variables(monkeypatch, producer_redis, unique_queue):
    kwargs = producer_redis.connection_pool.connection_kwargs
    monkeypatch.setenv("REDIS_HOST", kwargs["host"])
    monkeypatch.setenv("REDIS_PORT", str(kwargs["port"]))
    monkeypatch.setenv("REDIS_DB", str(kwargs["db"]))
    monkeypatch.setenv("REDIS_PASSWORD", kwargs.get("password") or "")

    task_id = send_celery_task("auth.cleanup_expired_tokens", [7], queue=unique_queue)

    assert pop_one(producer_redis, unique_queue)["headers"]["id"] == task_id
