"""A database whose stores each own a beat entry moves to the dispatcher: one entry for all, nothing scheduled twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from shop.models import Store

# Before the webhook inbox's beat entries, so that they are made as on a real upgrade.
START = [("shop", "0008_store_ca_certificate")]
MAIN = [("shop", "0011_listings_statuses_set_aside_evidence")]
SCHEDULES = [("shop", "0012_store_schedules")]
INTERVALS = {"first": 60, "second": 300}
PINNED = settings.BEAT_PINNED_SCHEDULE


def migrate(targets):
    """Migrate the test database to `targets`; return the apps as of there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def stores_with_their_own_entries(apps) -> None:
    """Stores as they were before the dispatcher: each with a `shop: poll <slug>` entry of its own."""
    Interval = apps.get_model("django_celery_beat", "IntervalSchedule")
    Task = apps.get_model("django_celery_beat", "PeriodicTask")
    for slug, every in INTERVALS.items():
        store = apps.get_model("shop", "Store").objects.create(
            name=slug, slug=slug, base_url=f"https://{slug}.example", consumer_key="ck_1", consumer_secret="cs_1",
            poll_interval=every,
        )  # fmt: skip
        interval, _ = Interval.objects.get_or_create(every=every, period="seconds")
        store.periodic_task = Task.objects.create(
            name=f"shop: poll {slug}", task="shop.poll_orders", interval=interval, kwargs=f'{{"store_id": {store.pk}}}'
        )
        store.save()


@pytest.mark.django_db(transaction=True)
def test_the_stores_own_entries_go_and_every_other_entry_is_there_once():
    migrate(START)
    # The dispatcher and the repair were not there yet at that point (the sweepers were).
    PeriodicTask.objects.filter(task__in=["shop.dispatch_polls", "shop.repair_schedules"]).delete()
    stores_with_their_own_entries(migrate(MAIN))
    before = set(PeriodicTask.objects.exclude(task="shop.poll_orders").values_list("name", "task"))

    started = timezone.now()
    try:
        migrate(SCHEDULES)
        entries = dict(PeriodicTask.objects.values_list("name", "task"))
        pinned = {
            entry.name: (entry.task, entry.interval.every) for entry in PeriodicTask.objects.filter(name__in=PINNED)
        }
        # Only the columns that exist as of this migration: later ones add others to the model.
        stores = dict(Store.objects.values_list("slug", "next_poll_at"))
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert {"shop.sweep_webhooks", "shop.check_webhooks"} <= {task for _, task in before}
    # The stores' own entries are gone; the housekeeping ones stay as they were, beside the pinned ones.
    assert entries == {**dict(before), **{name: spec["task"] for name, spec in PINNED.items()}}
    assert pinned == {name: (spec["task"], spec["every"]) for name, spec in PINNED.items()}
    for slug, due in stores.items():
        # Each store's first due time spread over its own interval.
        assert started <= due < timezone.now() + timedelta(seconds=INTERVALS[slug])
