"""The dispatcher's beat entry deleted in the admin while beat runs is back within seconds, and polls go on."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from adolf.audit import REPAIR_USERNAME
from shop.models import PollRun
from shop.schedules import DISPATCHER_ENTRY
from tests.shop.conftest import store_for
from tests.support.processes import start_beat, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_deleted_dispatcher_entry_is_restored_recorded_and_polls_go_on(sim, celery_worker, tmp_path):
    store = store_for(sim, poll_interval=10)
    beat = start_beat(tmp_path)
    try:
        wait_for(lambda: PollRun.objects.filter(store=store, outcome="ok").exists(), timeout=30, what="a first poll")
        PeriodicTask.objects.get(name=DISPATCHER_ENTRY).delete()  # as the admin's delete does
        deleted_at = timezone.now()

        restored = wait_for(
            lambda: PeriodicTask.objects.filter(name=DISPATCHER_ENTRY).first(),
            timeout=30, interval=0.5, what="beat to restore the dispatcher's entry",
        )  # fmt: skip
        wait_for(
            lambda: PollRun.objects.filter(store=store, outcome="ok", started_at__gt=restored.date_changed).exists(),
            timeout=30, interval=1, what="a poll after the entry came back",
        )  # fmt: skip
    finally:
        beat.stop()
    assert (restored.enabled, restored.task, restored.interval.every) == (True, "shop.dispatch_polls", 5)
    log = LogEntry.objects.get(user__username=REPAIR_USERNAME, object_id=str(restored.pk))
    assert log.action_flag == ADDITION
    assert log.action_time >= deleted_at
    assert "pinned entry 'shop: dispatch due polls' restored (missing)" in beat.log()
