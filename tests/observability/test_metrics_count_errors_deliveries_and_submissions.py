"""Poll errors by type, deliveries by channel kind and outcome, submissions by service: counted where they happen."""

from __future__ import annotations

import pytest

from notifications.models import Delivery
from notifications.publish import publish
from shop.tasks import poll_orders
from tests.factories.notifications import webhook_channel
from tests.integrations.conftest import make_service, submit, wait_for_result
from tests.support.loopback import LoopbackServer, Reply
from tests.support.metrics import scrape, scrape_process, value
from tests.support.processes import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_poll_with_a_wrong_key_counts_as_an_authentication_error(store, client, celery_worker):
    store.consumer_secret = "cs_wrong"
    store.save()
    before = scrape_process(celery_worker)  # the worker that polls counts, and serves its own metrics

    poll_orders.delay(store_id=store.pk).get(timeout=60, propagate=False)

    after = scrape_process(celery_worker)
    errors = "shop_poll_errors_total"
    assert (
        value(after, errors, error_type="AuthenticationError") - value(before, errors, error_type="AuthenticationError")
        == 1
    )
    assert value(scrape(client), "shop_store_failing", store="sim") == 1  # the web reads the stores at scrape time


def test_deliveries_are_counted_by_channel_kind_and_outcome(client, celery_worker):
    before = scrape_process(celery_worker)
    with LoopbackServer(Reply(200)) as server:
        server.then(Reply(503))
        webhook_channel(server.url)
        delivery = publish("shop.order.new", "Новый заказ", "Заказ #5", "shop", "main:5").deliveries.get()
        wait_for(lambda: Delivery.objects.get(pk=delivery.pk).status == "sent", timeout=30, what="the delivery")
    after = scrape_process(celery_worker)

    def grew(outcome: str) -> float:
        name = "adolf_deliveries_total"
        return value(after, name, channel_kind="webhook", outcome=outcome) - value(
            before, name, channel_kind="webhook", outcome=outcome
        )

    assert (grew("retry"), grew("sent"), grew("failed")) == (1, 1, 0)
    assert value(scrape(client), "adolf_deliveries", status="sent") == 1


def test_task_submissions_are_counted_by_service_and_outcome(client, microservice, celery_worker):
    token = make_service("auth", microservice.url).issue_api_token()
    before = scrape(client)

    first = submit(client, token, {"task": "auth.cleanup_expired_tokens", "args": [7], "task_id": "auth-cleanup-1"})
    again = submit(client, token, {"task": "auth.cleanup_expired_tokens", "args": [7], "task_id": "auth-cleanup-1"})
    refused = submit(client, token, {"task": "auth.no_such_task"})
    wait_for_result(first.json()["task_id"])
    after = scrape(client)

    assert (first.status_code, again.status_code, refused.status_code) == (202, 200, 400)
    name = "adolf_task_submissions_total"
    grown = {
        outcome: value(after, name, service="auth", outcome=outcome)
        - value(before, name, service="auth", outcome=outcome)
        for outcome in ("queued", "duplicate", "refused")
    }
    assert grown == {"queued": 1, "duplicate": 1, "refused": 1}
