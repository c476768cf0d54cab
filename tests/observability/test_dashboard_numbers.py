"""Every number on the status dashboard, read from the page after filling the database (and the broker)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_results.models import TaskResult

from adolf.tasks import ping
from integrations.models import Service, TaskSubmission
from notifications.models import Delivery
from shop.models import PollRun, Store
from shop.tasks import poll_orders
from tests.factories.notifications import ChannelFactory, DeliveryFactory, NotificationFactory
from tests.observability.dashboard_data import healthy_and_failing_stores
from tests.support.processes import wait_for


def row(page: str, attribute: str, value: str) -> str:
    """Return the <tr> of the page whose data-attribute is value."""
    match = re.search(rf'<tr [^>]*data-{attribute}="{re.escape(value)}"[^>]*>(.*?)</tr>', page, re.S)
    assert match, f"no row with data-{attribute}={value!r}"
    return match.group(1)


def cell(html: str, selector: str) -> str:
    """Return the text of the first <td> whose attributes contain `selector`, tags stripped."""
    match = re.search(rf"<td [^>]*{selector}[^>]*>(.*?)</td>", html, re.S)
    assert match, f"no cell {selector!r}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


@pytest.mark.django_db
def test_the_admin_says_adolf(admin_client):
    index = admin_client.get("/admin/", headers={"Accept-Language": "en"}).content.decode()

    assert "<title>Operations console | ADOLF</title>" in index
    assert '<a href="/admin/">ADOLF</a>' in index
    assert "Django administration" not in index


@pytest.mark.django_db
def test_each_store_shows_its_poll_lag_and_orders_set_aside(admin_client):
    healthy_and_failing_stores()
    Store.objects.filter(slug="main").update(cursor=timezone.now() - timedelta(minutes=3, seconds=5))

    page = admin_client.get("/dashboard/", headers={"Accept-Language": "en"}).content.decode()

    main, broken = row(page, "store", "main"), row(page, "store", "broken")
    assert cell(main, 'class="lag"') == "3\xa0minutes"
    assert re.search(r'class="lag" data-seconds="18[5-9]"', main)
    assert cell(broken, 'class="lag"') == "—"
    assert (cell(main, 'class="set-aside"'), cell(broken, 'class="set-aside"')) == ("0", "0")
    assert (cell(main, 'class="events"'), cell(broken, 'class="events"')) == ("6", "0")


@pytest.mark.django_db
def test_deliveries_are_counted_by_channel_and_outcome_over_24_hours_with_failed_and_dead_linked(admin_client):
    telegram, email = ChannelFactory(name="Telegram duty"), ChannelFactory(name="E-mail list", enabled=False)
    for status, channel, count in [("sent", telegram, 3), ("pending", telegram, 1), ("sending", telegram, 1),
                                   ("failed", telegram, 2), ("dead", email, 1), ("sent", email, 1)]:  # fmt: skip
        for _ in range(count):
            DeliveryFactory(channel=channel, status=status)
    old = DeliveryFactory(channel=telegram, status="failed")
    Delivery.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(hours=25))
    NotificationFactory.create_batch(2)

    page = admin_client.get("/dashboard/", headers={"Accept-Language": "en"}).content.decode()

    duty = row(page, "channel", str(telegram.pk))
    counts = {o: cell(duty, f'data-outcome="{o}"') for o in ("sent", "pending", "failed", "dead")}
    assert counts == {"sent": "3", "pending": "2", "failed": "2", "dead": "0"}
    link = re.search(r'data-outcome="failed"><a href="([^"]+)"', duty).group(1).replace("&amp;", "&")
    assert link.startswith(f"/admin/notifications/delivery/?channel__id__exact={telegram.pk}&status__exact=failed")
    listed = admin_client.get(link).context["cl"].result_count
    assert listed == 2  # the day's two, not the older one
    mail = row(page, "channel", str(email.pk))
    assert {o: cell(mail, f'data-outcome="{o}"') for o in ("sent", "dead")} == {"sent": "1", "dead": "1"}
    assert "(disabled)" in mail
    # Each delivery above has a notification of its own (all created now), and two have none: 12 in the hour.
    assert "12 notifications, at most 12 an hour" in page


@pytest.mark.django_db
def test_held_deliveries_of_any_age_and_the_days_dropped_ones_are_counted_and_linked(admin_client):
    email = ChannelFactory(name="E-mail list", enabled=False)
    for status, count in [("held", 3), ("dropped", 2)]:
        for _ in range(count):
            DeliveryFactory(channel=email, status=status)
    old_held, old_dropped = (
        DeliveryFactory(channel=email, status="held"),
        DeliveryFactory(channel=email, status="dropped"),
    )
    Delivery.objects.filter(pk__in=[old_held.pk, old_dropped.pk]).update(created=timezone.now() - timedelta(days=3))

    page = admin_client.get("/dashboard/", headers={"Accept-Language": "en"}).content.decode()

    mail = row(page, "channel", str(email.pk))
    assert {o: cell(mail, f'data-outcome="{o}"') for o in ("held", "dropped")} == {"held": "4", "dropped": "2"}
    links = {
        outcome: re.search(rf'data-outcome="{outcome}"><a href="([^"]+)"', mail).group(1).replace("&amp;", "&")
        for outcome in ("held", "dropped")
    }
    assert links["held"] == f"/admin/notifications/delivery/?channel__id__exact={email.pk}&status__exact=held"
    assert [admin_client.get(link).context["cl"].result_count for link in links.values()] == [4, 2]
    assert "<th>Held</th><th>Dropped</th>" in page


@pytest.mark.django_db
def test_microservice_submissions_and_callback_outcomes_are_counted_per_service(admin_client):
    auth = Service.objects.create(name="auth", base_url="http://127.0.0.1:1")
    Service.objects.create(name="cart", base_url="http://127.0.0.1:1", enabled=False)
    now = timezone.now()
    for n, published in enumerate([now, now, None]):
        TaskSubmission.objects.create(task_id=f"a{n}", service=auth, task_name="auth.x", published_at=published)
    stale = TaskSubmission.objects.create(task_id="old", service=auth, task_name="auth.x", published_at=now)
    TaskSubmission.objects.filter(pk=stale.pk).update(created_at=now - timedelta(days=2))
    results = [("auth.send_verification_email", "SUCCESS")] * 4 + [
        ("auth.cleanup_expired_tokens", "FAILURE"),
        ("auth.x", "RETRY"),
        ("cart.cleanup_abandoned_carts", "SUCCESS"),
        ("shop.poll_orders", "FAILURE"),
    ]
    for n, (name, status) in enumerate(results):
        TaskResult.objects.create(task_id=f"r{n}", task_name=name, status=status)
    TaskResult.objects.filter(task_id="r0").update(date_done=now - timedelta(days=2))

    page = admin_client.get("/dashboard/", headers={"Accept-Language": "en"}).content.decode()

    auth_row, cart_row, order_row = (
        row(page, "service", "auth"),
        row(page, "service", "cart"),
        row(page, "service", "order"),
    )
    assert (cell(auth_row, 'class="submitted"'), cell(auth_row, 'class="queued"')) == ("3", "2")
    outcomes = {state: cell(auth_row, f'data-state="{state}"') for state in ("SUCCESS", "RETRY", "FAILURE")}
    assert outcomes == {"SUCCESS": "3", "RETRY": "1", "FAILURE": "1"}
    assert cell(cart_row, 'data-state="SUCCESS"') == "1"
    assert "(disabled)" in cart_row
    assert "(not registered)" in order_row
    assert "shop" not in re.findall(r'data-service="([^"]+)"', page)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_queue_lengths_and_the_workers_online_are_read_from_the_broker(sim, store, admin_client, celery_worker):
    # The worker runs one task at a time: while the store is slow to answer, pings wait on "default".
    sim.store.inject("slow", delay=6, path="/wp-json/wc/v3/orders")
    poll = poll_orders.delay(store_id=store.pk)
    wait_for(lambda: PollRun.objects.filter(outcome="running").exists(), timeout=30, what="the poll to start")
    pings = [ping.delay() for _ in range(3)]

    page = admin_client.get("/dashboard/", headers={"Accept-Language": "en"}).content.decode()

    queues = {name: cell(row(page, "queue", name), 'class="count') for name in ("default", "auth", "product")}
    assert queues == {"default": "3", "auth": "0", "product": "0"}
    assert f'<td class="status-ok">{celery_worker.name}</td>' in page
    assert "1 worker online" in page
    poll.get(timeout=60)
    assert [result.get(timeout=30) for result in pings] == ["pong"] * 3


@pytest.mark.django_db
def test_a_broker_that_does_not_answer_is_shown_not_a_failed_page(admin_client, monkeypatch):
    from adolf import broker

    def down(*args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(broker, "queue_lengths", down)
    monkeypatch.setattr(broker, "workers", down)

    page = admin_client.get("/dashboard/", headers={"Accept-Language": "en"}).content.decode()

    assert "The broker does not answer: ConnectionRefusedError" in page
    assert "No worker can be asked: ConnectionRefusedError" in page
