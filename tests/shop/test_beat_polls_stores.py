"""A real beat with the DatabaseScheduler polls each store at its interval, as edited in the admin."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from shop.models import PollRun, Store
from tests.shop.conftest import store_for
from tests.support.processes import start_beat, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_beat_polls_a_store_and_follows_an_interval_edited_in_the_admin(sim, celery_worker, tmp_path, client):
    store = store_for(sim, poll_interval=3600)
    beat = start_beat(tmp_path)
    try:
        # A new interval task is due at once, then not for an hour.
        wait_for(lambda: PollRun.objects.filter(trigger="beat").count() == 1, timeout=60, what="the first beat poll")

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
        assert Store.objects.get(pk=store.pk).periodic_task.interval.every == 10
        edited = timezone.now()

        wait_for(
            lambda: PollRun.objects.filter(trigger="beat", started_at__gt=edited).count() >= 2,
            timeout=60,
            what="beat to poll at the new 10 s interval",
        )
    finally:
        beat.stop()
    # Without the edit the next poll was an hour away: two polls since prove it took effect.
    assert "shop.poll_orders" in beat.log()
