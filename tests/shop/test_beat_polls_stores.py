"""A real beat (its one dispatcher entry) polls each store at its interval, as edited in the admin."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth import get_user_model

from shop.models import PollRun, Store
from tests.shop.conftest import store_for
from tests.support.processes import start_beat, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_beat_polls_a_store_at_the_interval_edited_in_the_admin(sim, celery_worker, tmp_path, client):
    store = store_for(sim, poll_interval=3600)
    beat = start_beat(tmp_path)
    try:
        admin = get_user_model().objects.create_superuser("operator", password="a-long-password-1")
        client.force_login(admin)
        form = {
            "name": store.name, "slug": store.slug, "base_url": store.base_url, "api": store.api,
            "consumer_key": "", "consumer_secret": "", "allow_http": "on", "enabled": "on",
            "poll_interval": "10", "first_poll_lookback": "60", "overlap": "120",
            "event_types": ["shop.order.new", "shop.order.cancelled"],
        }  # fmt: skip
        response = client.post(f"/admin/shop/store/{store.pk}/change/", form)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert Store.objects.get(pk=store.pk).poll_interval == 10

        # At the hourly interval beat would not poll for an hour; at ten seconds, twice in 60 s.
        wait_for(
            lambda: PollRun.objects.filter(trigger="beat", outcome="ok").count() >= 2,
            timeout=60,
            interval=1,
            what="beat to poll at the edited 10 s interval",
        )
    finally:
        beat.stop()
    assert "Sending due task shop: dispatch due polls (shop.dispatch_polls)" in beat.log()
    runs = list(PollRun.objects.filter(trigger="beat", outcome="ok").order_by("started_at"))
    assert all(run.due_at is not None for run in runs)
    # One interval apart, never two polls of one due time.
    gaps = [(later.due_at - earlier.due_at).total_seconds() for earlier, later in itertools.pairwise(runs)]
    assert all(gap >= 10 for gap in gaps), gaps
