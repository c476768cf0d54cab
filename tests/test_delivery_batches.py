"""Deliveries go out in batches: one claim for many rows, parallel sends within each service's limits, bulk outcomes."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from notifications import batch, dispatch, outbox
from notifications import publish as publish_module
from notifications.dispatch import claim_batch, deliver_batch
from notifications.models import Channel, Delivery, Notification
from notifications.outbox import BATCH_SIZE
from notifications.pacing import LocalPacer, RedisPacer
from notifications.tasks import dispatch_deliveries, dispatch_delivery
from tests.factories.notifications import (
    ChannelFactory,
    DeliveryFactory,
    NotificationFactory,
    email_channel,
    telegram_channel,
    webhook_channel,
)
from tests.support.deliveries import reload
from tests.support.loopback import LoopbackServer, Received, Reply
from tests.support.redis_server import RedisServer
from tests.support.smtp import smtp_relay

OK = Reply(200, {"ok": True, "result": {"message_id": 1}})


@pytest.fixture
def enqueued(monkeypatch):
    """Record what would be sent to the broker, with its countdown."""
    calls: list[tuple[list[int], float | None]] = []
    monkeypatch.setattr(dispatch, "enqueue", lambda ids, countdown=None: calls.append((list(ids), countdown)))
    return calls


def deliveries_to(channel: Channel, count: int) -> list[Delivery]:
    return [DeliveryFactory(channel=channel) for _ in range(count)]


@pytest.mark.django_db
def test_a_batch_claims_only_the_given_deliveries_that_are_pending_and_due():
    channel = webhook_channel("http://127.0.0.1:9/hook")
    due = DeliveryFactory(channel=channel)
    waiting = DeliveryFactory(channel=channel, next_attempt_at=timezone.now() + timedelta(minutes=5))
    sent = DeliveryFactory(channel=channel, status="sent")
    held = DeliveryFactory(channel=channel, status="held")
    sending = DeliveryFactory(channel=channel, status="sending", attempts=1)
    not_given = DeliveryFactory(channel=channel)

    claimed = claim_batch([due.pk, waiting.pk, sent.pk, held.pk, sending.pk], timezone.now())

    assert claimed == {due.pk: 1}
    assert (reload(due).status, reload(due).attempts) == ("sending", 1)
    assert [reload(d).status for d in (waiting, sent, held, sending, not_given)] == [
        "pending", "sent", "held", "sending", "pending",
    ]  # fmt: skip


@pytest.mark.django_db
def test_a_batch_with_room_takes_other_due_deliveries_longest_due_first():
    channel = webhook_channel("http://127.0.0.1:9/hook")
    now = timezone.now()
    given = DeliveryFactory(channel=channel, next_attempt_at=now)
    oldest = DeliveryFactory(channel=channel, next_attempt_at=now - timedelta(minutes=3))
    older = DeliveryFactory(channel=channel, next_attempt_at=now - timedelta(minutes=2))
    DeliveryFactory(channel=channel, next_attempt_at=now - timedelta(minutes=1))
    DeliveryFactory(channel=channel, next_attempt_at=now + timedelta(minutes=1))

    claimed = claim_batch([given.pk], now, fill=2)

    assert set(claimed) == {given.pk, oldest.pk, older.pk}


@pytest.mark.django_db(transaction=True)
def test_two_batches_racing_for_the_same_deliveries_send_each_once():
    with LoopbackServer(Reply(200, delay=0.05)) as server:
        channel = webhook_channel(f"{server.url}/hook")
        ids = [d.pk for d in deliveries_to(channel, 30)]
        barrier = threading.Barrier(3)
        outcomes: list[list] = [[], [], []]

        def race(index: int) -> None:
            try:
                barrier.wait(timeout=10)
                # Each racer is given every row, the last one in reverse, and takes others if it has room.
                outcomes[index] = deliver_batch(ids if index < 2 else ids[::-1], fill=BATCH_SIZE)
            finally:
                connection.close()

        threads = [threading.Thread(target=race, args=(i,)) for i in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    keys = [request.headers["Idempotency-Key"] for request in server.received]
    assert len(keys) == len(set(keys)) == 30
    assert sorted(o.delivery_id for racer in outcomes for o in racer) == sorted(ids)
    assert set(Delivery.objects.values_list("status", "attempts")) == {("sent", 1)}


@pytest.mark.django_db(transaction=True)
@override_settings(NOTIFICATION_RETRY_BASE_SECONDS=600, NOTIFICATION_RETRY_CAP_SECONDS=600)
def test_a_batch_with_mixed_results_records_each_outcome_and_disables_a_broken_channel_once(enqueued, monkeypatch):
    # The alert about the broken channel goes to the others: kept from any worker, whose
    # sends would land after this test's server is gone and note their own errors.
    alerts: list[list[int]] = []
    monkeypatch.setattr(publish_module, "announce", lambda ids: alerts.append(list(ids)))
    answers = {"/ok": Reply(200), "/busy": Reply(503), "/bad": Reply(400), "/gone": Reply(410)}
    with LoopbackServer(handler=lambda request: answers[request.path]) as server:
        ok, busy, bad, gone = (webhook_channel(f"{server.url}{path}", name=path) for path in answers)
        off = webhook_channel(f"{server.url}/ok", name="off", enabled=False)
        sent, retried, failed = DeliveryFactory(channel=ok), DeliveryFactory(channel=busy), DeliveryFactory(channel=bad)
        broken = deliveries_to(gone, 3)
        kept = DeliveryFactory(channel=off)
        given = [sent, retried, failed, *broken, kept]

        outcomes = deliver_batch([d.pk for d in given])

    assert {o.delivery_id: o.status for o in outcomes} == {
        sent.pk: "sent", retried.pk: "pending", failed.pk: "failed", kept.pk: "held",
        **{d.pk: "held" for d in broken},
    }  # fmt: skip
    sent, retried, failed, kept = (reload(d) for d in (sent, retried, failed, kept))
    assert (sent.status, sent.attempts, sent.response_code, sent.claimed_at) == ("sent", 1, 200, None)
    assert sent.sent_at is not None
    assert (retried.status, retried.attempts, retried.response_code) == ("pending", 1, 503)
    assert retried.next_attempt_at > timezone.now()
    assert (failed.status, failed.attempts, failed.last_error) == ("failed", 1, "Webhook answered HTTP 400")
    # A disabled channel's delivery is held without spending an attempt.
    assert (kept.status, kept.attempts) == ("held", 0)
    # The broken channel: held, the ones tried with its error, those after the fault not tried at all.
    broken = [reload(d) for d in broken]
    assert {d.status for d in broken} == {"held"}
    tried = [d for d in broken if d.attempts == 1]
    assert tried
    assert all(d.last_error == "Webhook answered HTTP 410" for d in tried)
    assert len([r for r in server.received if r.path == "/gone"]) == len(tried)
    gone.refresh_from_db()
    assert (gone.enabled, gone.disabled_reason) == (False, "Webhook answered HTTP 410")
    assert Notification.objects.filter(event_type="notifications.channel.disabled").count() == 1
    assert len(alerts) == 1
    assert Channel.objects.get(pk=busy.pk).last_error == "Webhook answered HTTP 503"
    assert Channel.objects.get(pk=ok.pk).enabled
    assert Channel.objects.get(pk=bad.pk).enabled


@pytest.mark.django_db
def test_a_batch_only_for_disabled_channels_holds_them_all_without_spending_attempts():
    deliveries = deliveries_to(webhook_channel("http://127.0.0.1:9/hook", enabled=False), 2)

    outcomes = deliver_batch([d.pk for d in deliveries])

    assert [o.status for o in outcomes] == ["held", "held"]
    assert [(reload(d).status, reload(d).attempts) for d in deliveries] == [("held", 0), ("held", 0)]


@pytest.mark.django_db
def test_the_mails_of_a_batch_go_over_one_smtp_connection():
    with smtp_relay() as sink:
        channel = email_channel("staff@shop.example")
        deliveries = deliveries_to(channel, 5)

        outcomes = deliver_batch([d.pk for d in deliveries])

    assert [o.status for o in outcomes] == ["sent"] * 5
    assert len(sink.messages) == 5
    assert sink.connections == 1


@pytest.mark.django_db
def test_a_refused_mail_does_not_stop_the_rest_of_the_batch():
    with smtp_relay() as sink:
        sink.refuse_data_next("552 Message too large")
        deliveries = deliveries_to(email_channel("staff@shop.example"), 3)

        outcomes = deliver_batch([d.pk for d in deliveries])

    assert [o.status for o in outcomes] == ["failed", "sent", "sent"]
    assert len(sink.messages) == 2


@pytest.mark.django_db(transaction=True)
def test_posts_in_flight_to_one_webhook_host_stay_within_the_bound():
    with LoopbackServer(Reply(200, delay=0.1)) as server:
        # Three channels, one host: the bound is the host's, not each channel's.
        deliveries = [d for path in ("/a", "/b", "/c") for d in deliveries_to(webhook_channel(server.url + path), 8)]

        outcomes = deliver_batch([d.pk for d in deliveries])

    assert {o.status for o in outcomes} == {"sent"}
    assert len(server.received) == 24
    assert 1 < server.most_in_flight <= batch.WEBHOOK_HOST_CONCURRENCY


@pytest.mark.django_db
def test_telegram_messages_to_one_chat_are_a_second_apart_and_the_rest_wait_their_turn(enqueued, monkeypatch):
    monkeypatch.setattr(batch, "PACE_HORIZON", 2.0)
    arrivals: list[float] = []

    def stamp(request: Received) -> Reply:
        arrivals.append(time.monotonic())
        return OK

    with LoopbackServer(handler=stamp) as server, override_settings(TELEGRAM_API_BASE=server.url):
        deliveries = deliveries_to(telegram_channel(f"-100{time.time_ns()}"), 6)

        outcomes = deliver_batch([d.pk for d in deliveries])

    sent = [o for o in outcomes if o.status == "sent"]
    waiting = [reload(d) for d in deliveries if reload(d).status == "pending"]
    # Slots a second apart within the two-second horizon: at least two sent, never six at once.
    assert 2 <= len(sent) < 6
    assert len(arrivals) == len(sent)
    assert arrivals[-1] - arrivals[0] >= (len(arrivals) - 1) - 0.5
    # The others were not tried: no attempt spent, due later, handed back to the broker.
    assert len(waiting) == 6 - len(sent)
    assert all(d.attempts == 0 and d.next_attempt_at > d.last_attempt_at for d in waiting)
    assert sorted(i for ids, _countdown in enqueued for i in ids) == sorted(d.pk for d in waiting)


@pytest.fixture(params=["local", "redis"])
def pacer(request, tmp_path):
    """Each pacer: in this process, and in Redis (the deployment's, or a server of the test's own)."""
    if request.param == "local":
        yield LocalPacer()
    elif settings.REDIS_URL:
        yield RedisPacer(settings.REDIS_URL, LocalPacer())
    else:
        server = RedisServer(tmp_path).start()
        try:
            yield RedisPacer(server.url, LocalPacer())
        finally:
            server.stop()


def test_a_pacer_books_slots_per_chat_and_per_bot_and_none_past_the_horizon(pacer):
    bot, chat, other = (f"test:{time.time_ns()}:{name}" for name in ("bot", "chat", "other"))

    first = pacer.reserve([(bot, 0.1), (chat, 1.0)], horizon=1.5)
    second = pacer.reserve([(bot, 0.1), (chat, 1.0)], horizon=1.5)
    elsewhere = pacer.reserve([(bot, 0.1), (other, 1.0)], horizon=1.5)
    third = pacer.reserve([(bot, 0.1), (chat, 1.0)], horizon=1.5)

    assert first == 0
    assert 0.5 < second <= 1.0  # the chat's next second
    assert elsewhere <= 0.2  # another chat of the bot takes the bot's next free slot
    assert third is None  # two seconds away: past the horizon, and nothing booked
    assert 0.5 < pacer.reserve([(chat, 1.0)], horizon=2.5) <= 2.0  # so the chat's next slot is still free


@pytest.mark.django_db
def test_a_task_queued_before_batches_still_delivers_its_row():
    with LoopbackServer(Reply(200)) as server:
        delivery = DeliveryFactory(channel=webhook_channel(server.url))

        assert dispatch_delivery.apply(args=(delivery.pk,)).get() == {"sent": 1}

    assert reload(delivery).status == "sent"
    assert len(server.received) == 1


@pytest.mark.django_db
def test_the_batch_task_counts_its_outcomes_and_skips_rows_not_due():
    with LoopbackServer(Reply(200)) as server:
        channel = webhook_channel(server.url)
        due = deliveries_to(channel, 3)
        later = DeliveryFactory(channel=channel, next_attempt_at=timezone.now() + timedelta(hours=1))

        assert dispatch_deliveries.apply(args=([d.pk for d in [*due, later]],)).get() == {"sent": 3}

    assert reload(later).status == "pending"


@pytest.mark.django_db
def test_a_notification_is_rendered_for_each_channel_once_per_batch():
    notification = NotificationFactory(data={"store": "main", "order": "7", "email": "buyer@example.com"})
    with LoopbackServer(Reply(200)) as server:
        open_hook = webhook_channel(f"{server.url}/open")
        discreet = webhook_channel(f"{server.url}/discreet", customer_contact=False)
        deliveries = [DeliveryFactory(notification=notification, channel=c) for c in (open_hook, discreet)]

        deliver_batch([d.pk for d in deliveries])

    bodies = {r.path: r.json() for r in server.received}
    assert bodies["/open"]["data"]["email"] == "buyer@example.com"
    assert "email" not in bodies["/discreet"]["data"]


@pytest.mark.django_db
def test_a_batch_out_of_time_hands_back_what_it_did_not_send_without_spending_an_attempt(enqueued, monkeypatch):
    monkeypatch.setattr(batch, "batch_seconds", lambda: 0.0)
    deliveries = deliveries_to(email_channel("staff@shop.example"), 3)

    outcomes = deliver_batch([d.pk for d in deliveries])

    # The lane's first send always goes: a batch never comes to nothing.
    assert [o.status for o in outcomes] == ["sent", "pending", "pending"]
    first, *rest = (reload(d) for d in deliveries)
    assert (first.status, first.attempts) == ("sent", 1)
    assert [(d.status, d.attempts) for d in rest] == [("pending", 0), ("pending", 0)]
    assert enqueued == [([d.pk for d in rest], 0)]
    assert len(mail.outbox) == 1  # pytest-django's in-memory backend


@pytest.mark.django_db
def test_a_service_asking_to_wait_gets_no_more_sends_from_the_batch_and_the_rest_wait_unspent(enqueued):
    with LoopbackServer(Reply(429, headers={"Retry-After": "120"})) as server:
        deliveries = deliveries_to(webhook_channel(server.url + "/hook"), 12)
        started = timezone.now()

        deliver_batch([d.pk for d in deliveries])

    # Each lane's first post may be in flight before any answer came; after the first 429,
    # nothing more goes out to it.
    assert 1 <= len(server.received) <= batch.WEBHOOK_HOST_CONCURRENCY
    rows = [reload(d) for d in deliveries]
    assert {row.status for row in rows} == {"pending"}
    assert sum(row.attempts for row in rows) == len(server.received)  # only the posts made spent an attempt
    assert all(row.next_attempt_at >= started + timedelta(seconds=119) for row in rows)
    assert sorted(pk for ids, _countdown in enqueued for pk in ids) == sorted(d.pk for d in deliveries)


@pytest.mark.django_db
def test_a_wait_asked_for_beyond_a_safe_countdown_is_left_to_the_sweeper(enqueued):
    with LoopbackServer(Reply(429, headers={"Retry-After": "3600"})) as server:
        deliveries = deliveries_to(webhook_channel(server.url + "/hook"), 6)

        deliver_batch([d.pk for d in deliveries])

    assert {reload(d).status for d in deliveries} == {"pending"}
    assert enqueued == []  # a countdown past the visibility timeout would run twice: the sweeper sends them
    dispatch.sweep(timezone.now() + timedelta(hours=1, seconds=5))
    assert sorted(pk for ids, _countdown in enqueued for pk in ids) == sorted(d.pk for d in deliveries)


@pytest.fixture
def queued_mark(tmp_path, monkeypatch):
    """The Redis that keeps the mark of a queued batch: the deployment's, or a server of the test's own."""
    server = None
    if settings.REDIS_URL:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5)
    else:
        server = RedisServer(tmp_path).start()
        client = redis.Redis.from_url(server.url, socket_timeout=5)
    monkeypatch.setattr(outbox, "_redis", lambda: client)
    client.delete(outbox.QUEUED_KEY)
    sent: list[list[int]] = []
    monkeypatch.setattr(outbox, "enqueue", lambda ids, countdown=None: sent.append(list(ids)))
    yield sent
    client.delete(outbox.QUEUED_KEY)
    if server is not None:
        server.stop()


def test_a_burst_of_publishes_sends_one_batch_task_until_it_starts_claiming(queued_mark):
    outbox.announce([1, 2])
    outbox.announce([3, 4])  # the queued task will claim these too: they are due
    assert queued_mark == [[1, 2]]

    outbox.taking()  # the task starts: what comes next is not in its claim
    outbox.announce([5, 6])
    assert queued_mark == [[1, 2], [5, 6]]


def test_without_redis_every_publish_sends_a_batch_task(monkeypatch):
    sent: list[list[int]] = []
    monkeypatch.setattr(outbox, "_redis", lambda: None)
    monkeypatch.setattr(outbox, "enqueue", lambda ids, countdown=None: sent.append(list(ids)))

    outbox.announce([1])
    outbox.announce([2])

    assert sent == [[1], [2]]


@pytest.mark.django_db
def test_a_batch_that_filled_up_hands_on_a_follow_up_even_if_its_own_rows_had_gone(monkeypatch):
    follow_ups: list[bool] = []
    monkeypatch.setattr(outbox, "follow_up", lambda: follow_ups.append(True))
    with LoopbackServer(Reply(200)) as server:
        channel = webhook_channel(server.url)
        gone = DeliveryFactory(channel=channel, status="sent")  # taken and sent by another batch
        deliveries_to(channel, BATCH_SIZE + 1)

        assert dispatch_deliveries.apply(args=([gone.pk],)).get() == {"sent": BATCH_SIZE - 1}
        assert follow_ups == [True]
        assert dispatch_deliveries.apply(args=([],)).get() == {"sent": 2}
        assert follow_ups == [True]  # it had room left: nothing more was due

    assert len(server.received) == BATCH_SIZE + 1


@pytest.mark.django_db(transaction=True)
def test_a_channel_whose_settings_no_encryption_key_reads_is_disabled_once_and_its_deliveries_held(monkeypatch):
    from cryptography.fernet import Fernet

    alerts: list[list[int]] = []
    monkeypatch.setattr(publish_module, "announce", lambda ids: alerts.append(list(ids)))
    lost = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[lost]):
        channel = webhook_channel("http://127.0.0.1:9/hook", name="lost key")
        given = deliveries_to(channel, 2)

    outcomes = deliver_batch([d.pk for d in given])  # FIELD_ENCRYPTION_KEY replaced without the old key

    assert {o.status for o in outcomes} == {"held"}
    channel.refresh_from_db()
    assert not channel.enabled
    assert "FIELD_ENCRYPTION_KEY" in channel.disabled_reason
    assert Notification.objects.filter(event_type="notifications.channel.disabled").count() == 1
    # Saving the channel keeps its stored settings for the old key to read.
    channel.save()
    with override_settings(FIELD_ENCRYPTION_KEYS=[*settings.FIELD_ENCRYPTION_KEYS, lost]):
        assert Channel.objects.get(pk=channel.pk).configuration["url"] == "http://127.0.0.1:9/hook"


@pytest.mark.django_db(transaction=True)
def test_a_channel_lacking_a_required_setting_is_disabled_once_instead_of_retried_to_death(monkeypatch):
    monkeypatch.setattr(publish_module, "announce", lambda ids: None)
    # Made outside the admin (which checks every setting): a webhook without its signing secret.
    channel = ChannelFactory(kind="webhook", name="no secret", configuration={"url": "http://127.0.0.1:9/hook"})
    given = deliveries_to(channel, 2)

    outcomes = deliver_batch([d.pk for d in given])

    assert {o.status for o in outcomes} == {"held"}
    channel.refresh_from_db()
    assert (channel.enabled, channel.disabled_reason) == (
        False, "The channel's configuration lacks secret: enter it on the channel's page",
    )  # fmt: skip
