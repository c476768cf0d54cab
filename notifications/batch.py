"""Send a batch of claimed deliveries concurrently, within each service's limits.

The deliveries are split into lanes, each a sequence of sends through one transport
opened once (notifications.transports: one HTTP client, one SMTP session), and the lanes
run on a bounded thread pool:

- e-mail: one lane per channel, so all its mails in the batch go over one SMTP session;
- webhook: up to WEBHOOK_HOST_CONCURRENCY lanes per channel, and at most that many posts
  in flight to one host, whichever channels point there;
- Telegram and the rest: one lane per channel, paced by the transport's rate limits
  (notifications.pacing): a send whose slot is further than PACE_HORIZON away is deferred.

A lane sends nothing once the batch's time is nearly up (BATCH_SECONDS, within Celery's
soft time limit), nothing more through a channel an attempt showed broken, and nothing
through a channel whose service asked to wait (a 429 or 503 with Retry-After) until that
wait is over: those deliveries come back unattempted, for the caller to put back without
spending an attempt.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connections
from django.utils import translation

from adolf.fields import undecryptable
from notifications.models import Channel, ChannelKind, Notification
from notifications.pacing import pacer
from notifications.transports import Fault, Transport, TransportError, transport_for
from notifications.transports.transport import unexpected_failure

logger = logging.getLogger(__name__)

# Threads sending one batch; each runs one lane at a time.
THREADS = 16
# Posts in flight to one webhook host at a time, from one batch.
WEBHOOK_HOST_CONCURRENCY = 4
# A batch waits for paced slots up to this long after its start (seconds); a send whose
# slot is later is deferred, and tried that long after.
PACE_HORIZON = 5.0


def batch_seconds() -> float:
    """Return how long a batch may keep starting sends: half Celery's soft time limit.

    What is in flight then still ends within the limit as deployed (540 s soft; a send times
    out within 60 s: a webhook's form allows no longer, SMTP's EMAIL_TIMEOUT and the HTTP
    clients' defaults are shorter). Each lane makes its first send whatever the budget, so a
    batch always moves on.
    """
    return settings.CELERY_TASK_SOFT_TIME_LIMIT / 2


@dataclass
class Job:
    """One claimed delivery to send: the notification as this channel sends it (notifications.texts)."""

    delivery_id: int
    channel: Channel
    notification: Notification
    key: str


@dataclass
class Result:
    """What became of one job: sent (`code`), failed (`error`), or not attempted (`deferred` seconds, or `broken`).

    `deferred`: not sent, to be tried again that many seconds from now (a rate limit, the
    batch's time). `broken`: not sent because an earlier attempt in this batch showed the
    channel broken.
    """

    code: int | None = None
    error: TransportError | None = None
    deferred: float | None = None
    broken: bool = False

    @property
    def attempted(self) -> bool:
        return self.deferred is None and not self.broken


class Lanes:
    """Shared state of one batch's lanes: broken channels, per-host bounds, the deadline."""

    def __init__(self, deadline: float) -> None:
        self.started = time.monotonic()
        self.deadline = deadline
        self.broken: set[int] = set()
        # Channel id -> time.monotonic() until which its service asked us to wait.
        self._paused: dict[int, float] = {}
        self._lock = threading.Lock()
        self._hosts: dict[str, threading.BoundedSemaphore] = {}

    def host_bound(self, host: str) -> threading.BoundedSemaphore:
        with self._lock:
            return self._hosts.setdefault(host, threading.BoundedSemaphore(WEBHOOK_HOST_CONCURRENCY))

    def mark_broken(self, channel_id: int) -> None:
        with self._lock:
            self.broken.add(channel_id)

    def pause(self, channel_id: int, seconds: float) -> None:
        """Send nothing more through this channel for `seconds` (its service's Retry-After)."""
        with self._lock:
            until = time.monotonic() + max(0.0, seconds)
            self._paused[channel_id] = max(self._paused.get(channel_id, 0.0), until)

    def paused_for(self, channel_id: int) -> float:
        """Return how many seconds this channel's service still asked us to wait (0: none)."""
        with self._lock:
            return max(0.0, self._paused.get(channel_id, 0.0) - time.monotonic())


def lanes_for(jobs: Sequence[Job]) -> list[list[Job]]:
    """Split jobs into lanes (see the module's docstring), keeping each channel's order."""
    by_channel: dict[int, list[Job]] = defaultdict(list)
    for job in jobs:
        by_channel[job.channel.pk].append(job)
    lanes: list[list[Job]] = []
    for channel_jobs in by_channel.values():
        if channel_jobs[0].channel.kind == ChannelKind.WEBHOOK:
            width = min(WEBHOOK_HOST_CONCURRENCY, len(channel_jobs))
            lanes.extend(channel_jobs[i::width] for i in range(width))
        else:
            lanes.append(channel_jobs)
    return lanes


def send_all(jobs: Sequence[Job]) -> dict[int, Result]:
    """Send every job, lanes in parallel; return {delivery id: Result}. Never raises for one job's failure."""
    lanes = lanes_for(jobs)
    state = Lanes(time.monotonic() + batch_seconds())
    results: dict[int, Result] = {}
    if not lanes:
        return results
    if len(lanes) == 1:
        # Nothing to overlap: send in the caller's thread (and its database connection).
        results.update(run_lane(lanes[0], state, close_db=False))
        return results
    with ThreadPoolExecutor(max_workers=min(THREADS, len(lanes)), thread_name_prefix="delivery") as pool:
        for lane_results in pool.map(lambda lane: run_lane(lane, state, close_db=True), lanes):
            results.update(lane_results)
    return results


def unusable_configuration(channel: Channel) -> TransportError | None:
    """Return a CHANNEL fault if the channel's configuration cannot be used at all, else None.

    Two kinds: settings no FIELD_ENCRYPTION_KEY decrypts (the key replaced without the old
    one), and required settings missing (a channel made outside the admin, which checks them).
    """
    if undecryptable(channel.configuration):
        return TransportError(
            "The channel's configuration cannot be decrypted with FIELD_ENCRYPTION_KEY (replaced without the "
            "old key): list the old key after the new one, or enter the channel's settings again",
            fault=Fault.CHANNEL,
        )
    settings_of = transport_for(channel.kind).settings
    missing = [s.name for s in settings_of if s.required and not (channel.configuration or {}).get(s.name)]
    if missing:
        return TransportError(
            f"The channel's configuration lacks {', '.join(missing)}: enter it on the channel's page",
            fault=Fault.CHANNEL,
        )
    return None


def run_lane(lane: Sequence[Job], state: Lanes, *, close_db: bool) -> dict[int, Result]:
    """Send a lane's jobs one after another through one opened transport."""
    results: dict[int, Result] = {}
    channel = lane[0].channel
    unusable = unusable_configuration(channel)
    if unusable is not None:
        # Nothing can be sent until someone fixes the channel: it is broken, and its
        # deliveries are held for it (not retried until they are dead).
        state.mark_broken(channel.pk)
        return {job.delivery_id: Result(error=unusable) for job in lane}
    try:
        with transport_for(channel.kind)(channel) as transport:
            for index, job in enumerate(lane):
                results[job.delivery_id] = send_one(transport, job, state, first=index == 0)
    except Exception:
        # Opening or closing the transport failed outside any one send (a bug): the jobs
        # not yet sent are deferred, the ones sent keep their result.
        logger.exception("A delivery lane of channel %s failed", channel.pk)
        for job in lane:
            results.setdefault(job.delivery_id, Result(deferred=0.0))
    finally:
        if close_db:
            # A transport may write (Telegram following a migrated chat): this thread's
            # connection is its own and closes with the lane.
            connections.close_all()
    return results


def send_one(transport: Transport, job: Job, state: Lanes, *, first: bool = False) -> Result:
    """Make one attempt, unless the channel broke, the batch ran out of time or the pace says later."""
    if job.channel.pk in state.broken:
        return Result(broken=True)
    paused = state.paused_for(job.channel.pk)
    if paused > 0:
        # Its service asked to wait: sending the rest now would only earn more 429s, each
        # spending an attempt.
        return Result(deferred=paused)
    if not first and time.monotonic() > state.deadline:
        return Result(deferred=0.0)
    paces = transport.paces()
    if paces:
        # The horizon counts from the batch's start: a batch waits for paces at most that
        # long in all, and a chat's backlog goes out over later batches.
        horizon = max(0.0, state.started + PACE_HORIZON - time.monotonic())
        wait = pacer().reserve(paces, horizon)
        if wait is None:
            return Result(deferred=PACE_HORIZON)
        time.sleep(wait)
    bound = hostbound(job, state)
    if bound is not None:
        bound.acquire()
    try:
        with translation.override(job.channel.language):
            code = transport.send(job.notification, idempotency_key=job.key)
    except TransportError as exc:
        error = exc
    except Exception as exc:
        # A transport let something through untyped: classified here, and logged whole.
        logger.exception("Delivery %s failed unexpectedly", job.delivery_id)
        error = unexpected_failure(exc)
    else:
        return Result(code=code)
    finally:
        if bound is not None:
            bound.release()
    if error.fault is Fault.CHANNEL:
        state.mark_broken(job.channel.pk)
    elif error.retry_after is not None:
        state.pause(job.channel.pk, error.retry_after)
    return Result(error=error)


def hostbound(job: Job, state: Lanes) -> threading.BoundedSemaphore | None:
    """Return the bound on posts in flight to this job's webhook host, if it is a webhook."""
    if job.channel.kind != ChannelKind.WEBHOOK:
        return None
    try:
        host = urlsplit(str(job.channel.configuration.get("url", ""))).netloc.rpartition("@")[2].lower()
    except ValueError:
        host = ""  # an unusable URL fails in the transport, with its own message
    return state.host_bound(host)
