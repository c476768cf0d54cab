"""Exactly one beat sends: a second beat stands by, and takes over when the first stops or dies."""

from __future__ import annotations

import pytest

from adolf.beat_lock import LeaderLock
from tests.support.processes import start_beat, wait_for
from tests.support.redis_server import RedisServer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SENDING = "Sending due task"


@pytest.fixture
def broker(tmp_path):
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisServer(folder).start()
    yield server.url
    server.stop()


def beat(tmp_path, broker):
    # A short lock, so a dead leader's key runs out within the test.
    return start_beat(tmp_path, fresh_lock=False, CELERY_BROKER_URL=broker, REDIS_URL=broker, BEAT_LOCK_SECONDS="3")


@pytest.fixture
def two_beats(tmp_path, broker):
    """A beat that sends, and a second one started after it that stands by; both stopped after the test."""
    first = beat(tmp_path, broker)
    second = None
    try:
        wait_for(lambda: SENDING in first.log(), timeout=30, what="the first beat to send")
        second = beat(tmp_path, broker)
        wait_for(lambda: "standing by" in second.log(), timeout=30, what="the second beat to stand by")
        yield first, second
    finally:
        first.stop()
        if second is not None:
            second.stop()


def test_a_second_beat_stands_by_and_sends_nothing_while_the_first_leads(two_beats):
    first, second = two_beats
    # The dispatcher is due every 5 s: two more of its runs sent by the first beat alone.
    sent = first.log().count(SENDING)
    wait_for(lambda: first.log().count(SENDING) >= sent + 2, timeout=30, what="the first beat to send on")
    assert SENDING not in second.log()
    assert second.log().count("standing by") == 1  # said once, not at every tick

    first.stop()  # a clean shutdown gives the lock up: the standby takes over at once
    wait_for(lambda: SENDING in second.log(), timeout=30, what="the second beat to take over")
    assert "leading" in second.log()


def test_a_beat_that_dies_is_replaced_once_its_lock_runs_out(two_beats):
    first, second = two_beats
    first.process.kill()  # no shutdown: the lock stays until its TTL runs out
    first.process.wait(10)
    wait_for(lambda: SENDING in second.log(), timeout=30, what="the second beat to take over")


def test_a_beat_that_stepped_down_on_a_redis_error_takes_its_own_lock_back_at_once(broker):
    leader, standby = LeaderLock(broker, 30), LeaderLock(broker, 30)
    assert leader.holds()
    assert not standby.holds()
    leader.leading = False  # as after a Redis error: the key is still this beat's

    assert leader.holds()  # not standing by behind its own lock until the TTL runs out
    assert leader.leading
    assert not standby.holds()
    leader.release()
    assert standby.holds()
