"""Issue input: a store deleted behind the ORM's back and added again with its slug is polled at its own interval.

The per-store schedules of older versions left the deleted store's beat entry behind
(paused, an hourly interval, the old store's id), and the new store adopted it and was
never polled. Now the store carries its schedule, and the leftover entry is deleted by the
schedule repair and recorded.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.db import connection
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from adolf.audit import REPAIR_USERNAME
from shop.models import PollRun
from tests.shop.conftest import store_for
from tests.support.processes import start_beat, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_store_added_again_with_its_slug_is_polled_at_its_own_interval(sim, celery_worker, tmp_path):
    old = store_for(sim, slug="main", poll_interval=3600)
    hourly, _ = IntervalSchedule.objects.get_or_create(every=3600, period=IntervalSchedule.SECONDS)
    leftover = PeriodicTask.objects.create(
        name="shop: poll main", task="shop.poll_orders", interval=hourly, kwargs=json.dumps({"store_id": old.pk}),
        enabled=False,
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM shop_store WHERE id = %s", [old.pk])

    again = store_for(sim, slug="main", poll_interval=10)
    beat = start_beat(tmp_path, SHOP_SCHEDULE_REPAIR_SECONDS="5")
    try:
        wait_for(
            lambda: PollRun.objects.filter(store=again, trigger="beat", outcome="ok").count() >= 2,
            timeout=60, interval=1, what="two polls of the store added again, ten seconds apart",
        )  # fmt: skip
        wait_for(
            lambda: not PeriodicTask.objects.filter(pk=leftover.pk).exists(),
            timeout=30, interval=1, what="the repair to delete the leftover entry",
        )  # fmt: skip
    finally:
        beat.stop()
    first, second = PollRun.objects.filter(store=again, trigger="beat", outcome="ok").order_by("started_at")[:2]
    assert (second.due_at - first.due_at).total_seconds() >= 10
    log = LogEntry.objects.get(user__username=REPAIR_USERNAME, object_id=str(leftover.pk))
    assert log.action_flag == DELETION
    assert log.change_message == f"Deleted: it was left by store id {old.pk}, which no longer exists."
