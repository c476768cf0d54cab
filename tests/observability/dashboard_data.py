"""Stores, poll runs and events for the status dashboard's tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from shop.models import OrderEvent, PollRun, Store


def make_store(slug: str, **fields) -> Store:
    return Store.objects.create(
        name=fields.pop("name", slug.title()),
        slug=slug,
        base_url=f"https://{slug}.example.com",
        consumer_key="ck_x",
        consumer_secret="cs_x",
        **fields,
    )


def runs(store: Store, *outcomes: str) -> None:
    """Record poll runs, oldest first."""
    start = timezone.now() - timedelta(minutes=len(outcomes))
    for i, outcome in enumerate(outcomes):
        run = PollRun.objects.create(store=store, outcome=outcome, finished_at=timezone.now())
        PollRun.objects.filter(pk=run.pk).update(started_at=start + timedelta(minutes=i))


def events(store: Store, at: datetime, count: int) -> None:
    """Record `count` order events detected at `at`."""
    for _ in range(count):
        number = OrderEvent.objects.count() + 1
        event = OrderEvent.objects.create(
            store=store, order_id=number, order_number=str(number), event_type="shop.order.new",
            to_status="processing", occurred_at=at, dedupe_key=f"{store.pk}:{number}:new", published_at=at,
        )  # fmt: skip
        OrderEvent.objects.filter(pk=event.pk).update(detected_at=at)


def healthy_and_failing_stores(now: datetime | None = None) -> tuple[Store, Store, Store]:
    """A healthy store with events, a store failing for three polls, and a disabled one."""
    now = now or timezone.now()
    main = make_store("main", name="Main shop")
    Store.objects.filter(pk=main.pk).update(last_success_at=now - timedelta(seconds=30))
    runs(main, "failed", "ok", "ok")
    broken = make_store("broken", name="Broken shop")
    Store.objects.filter(pk=broken.pk).update(
        last_success_at=now - timedelta(hours=2),
        failing_since=now - timedelta(minutes=3),
        last_error="HTTP 401 from GET https://broken.example.com/wp-json/wc/v3/orders: wrong consumer key",
    )
    runs(broken, "ok", "failed", "failed", "skipped", "failed")
    make_store("sleeping", name="Sleeping shop", enabled=False)
    events(main, now - timedelta(minutes=5), 4)
    events(main, now - timedelta(hours=3), 2)
    events(broken, now - timedelta(days=3), 5)
    events(main, now - timedelta(days=9), 7)  # too old for either chart
    return main, broken, Store.objects.get(slug="sleeping")
