"""Deliver delivery rows in batches: claim them, send them, record the outcomes, schedule the retries.

A batch claims the due pending rows it was given (and, with room left, others that are
due) in one statement, sends them concurrently (notifications.batch) and records every
outcome in one transaction, each fenced by its claim (status "sending" and the attempt
number it claimed). So a redelivered task, two racing batches or a late worker whose lease
expired can never send one delivery twice at the same time or overwrite a newer outcome.
"""

from __future__ import annotations

import logging
import math
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from adolf.redaction import redact
from adolf.retry import backoff_delay
from notifications import batch, channels, texts
from notifications.models import Channel, Delivery, DeliveryStatus, Level, Notification
from notifications.outbox import BATCH_SIZE, enqueue
from notifications.transports import Fault, TransportError, transport_for

logger = logging.getLogger(__name__)

# A pending row due this long ago was not picked up by its own task: the sweeper sends it.
SWEEP_GRACE = timedelta(seconds=60)
SWEEP_BATCH = 500


def lease() -> timedelta:
    """Return how long a "sending" row may stay claimed: past the task's hard time limit it died."""
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def claim(delivery_id: int, now: datetime) -> int | None:
    """Take a due pending delivery for sending; return its attempt number, or None if not ours."""
    return claim_batch([delivery_id], now).get(delivery_id)


def claim_batch(delivery_ids: Sequence[int], now: datetime, *, fill: int = 0) -> dict[int, int]:
    """Take the given deliveries that are pending and due, and up to `fill` other due ones; return {id: attempt}.

    One statement: the rows are chosen in materialised CTEs (`SELECT … FOR UPDATE SKIP LOCKED`,
    so racing batches split the rows between them instead of waiting for each other), then
    claimed by `UPDATE … RETURNING`; the others are the longest due first. Materialised, the
    choice is made once: a `LIMIT` subquery inside the UPDATE's WHERE may be re-run and claim
    more than its limit. SQLite (no SKIP LOCKED) serialises writers anyway.
    """
    ids = list(dict.fromkeys(int(i) for i in delivery_ids))
    if not ids and fill <= 0:
        return {}
    table = connection.ops.quote_name(Delivery._meta.db_table)
    at = connection.ops.adapt_datetimefield_value(now)
    lock = " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    # Only the model's table name and placeholders go into the text; every value is a parameter.
    due = f"SELECT id FROM {table} WHERE status = %s AND next_attempt_at <= %s"  # noqa: S608
    ctes, names, params = [], [], []
    if ids:
        ctes.append(f"mine AS MATERIALIZED ({due} AND id IN ({', '.join(['%s'] * len(ids))}){lock})")
        names.append("SELECT id FROM mine")
        params += [DeliveryStatus.PENDING, at, *ids]
    if fill > 0:
        ctes.append(f"more AS MATERIALIZED ({due} ORDER BY next_attempt_at, id LIMIT %s{lock})")
        names.append("SELECT id FROM more")
        params += [DeliveryStatus.PENDING, at, fill]
    sql = (
        f"WITH {', '.join(ctes)} UPDATE {table}"  # noqa: S608
        " SET status = %s, attempts = attempts + 1, claimed_at = %s, last_attempt_at = %s"
        f" WHERE status = %s AND id IN ({' UNION '.join(names)}) RETURNING id, attempts"
    )
    with connection.cursor() as cursor:  # one statement: atomic on its own
        cursor.execute(sql, [*params, DeliveryStatus.SENDING, at, at, DeliveryStatus.PENDING])
        return dict(cursor.fetchall())


def finish(delivery_id: int, attempt: int, **fields: object) -> bool:
    """Record an outcome only if this attempt still holds the claim."""
    return (
        Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING, attempts=attempt).update(
            claimed_at=None, **fields
        )
        == 1
    )


@dataclass
class Outcome:
    """What one claimed delivery's attempt came to, as recorded: its new status and the fields written."""

    delivery_id: int
    attempt: int
    channel_id: int | None
    kind: str
    status: str
    fields: dict[str, Any]
    attempted: bool = True
    countdown: int | None = None  # re-dispatch this many seconds from now (None: the sweeper will)


def deliver(delivery_id: int) -> str | None:
    """Make one attempt at a delivery; return its new status, or None if it was not due or not ours.

    A delivery to a disabled channel is held for it, without spending an attempt.
    """
    for outcome in deliver_batch([delivery_id]):
        if outcome.delivery_id == delivery_id:
            return outcome.status
    return None


def deliver_batch(
    delivery_ids: Sequence[int], *, fill: int = 0, when_full: Callable[[], object] | None = None
) -> list[Outcome]:
    """Claim, send and record a batch; return the outcomes recorded (rows not claimed are left out).

    `fill`: how many other due deliveries to take along, up to BATCH_SIZE in all (a task
    draining a burst takes what its siblings would, so each send shares its batch's costs).
    `when_full` is called once the claim is made if it took all the others it had room for
    (more may be due).
    Deliveries to a disabled channel are held for it, without spending an attempt.
    """
    now = timezone.now()
    fill = max(0, min(fill, BATCH_SIZE - len(delivery_ids)))
    claimed = claim_batch(delivery_ids[:BATCH_SIZE], now, fill=fill)
    if not claimed:
        return []
    # As many rows as the fill asked for: there may be more due (counting the batch's own
    # rows too, at worst one follow-up finds nothing; not counting them, a backlog would
    # stop whenever a batch's own rows had gone with another).
    if when_full is not None and fill and len(claimed) >= fill:
        try:
            when_full()
        except Exception:
            # The rest waits for the next publish's task or for the sweeper.
            logger.exception("Could not hand on the next batch of deliveries")
    try:
        rows = list(Delivery.objects.filter(pk__in=claimed).select_related("notification").order_by("pk"))
        channels_by_id = Channel.objects.in_bulk({row.channel_id for row in rows})
        held, jobs = [], []
        by_channel: dict[int, list[Delivery]] = defaultdict(list)
        for row in rows:
            by_channel[row.channel_id].append(row)
        for channel_id, deliveries in by_channel.items():
            channel = channels_by_id[channel_id]
            if not channel.enabled:
                held += [_unattempted(row.pk, claimed[row.pk], channel, DeliveryStatus.HELD) for row in deliveries]
                continue
            # In the channel's language, without what the channel leaves out; rendered per channel at once.
            as_sent = texts.for_channel_all([row.notification for row in deliveries], channel)
            jobs += [
                batch.Job(row.pk, channel, notification, str(row.key))
                for row, notification in zip(deliveries, as_sent, strict=True)
            ]
    except Exception:
        # Loading or rendering failed (a bug, the database gone): the claims are given back
        # unspent, or, if that fails too, the sweeper releases them when the lease is over.
        logger.exception("A batch of %s deliveries failed before sending", len(claimed))
        _release(claimed, now)
        raise
    # Outside the try: once sending has begun, a batch cut short (Celery's soft time limit)
    # leaves its rows claimed, for the sweeper to release when the lease is over, as before.
    results = batch.send_all(jobs)
    outcomes = held + [_outcome(job, claimed[job.delivery_id], results[job.delivery_id], now) for job in jobs]
    record(outcomes, now)
    return outcomes


def _unattempted(delivery_id: int, attempt: int, channel: Channel | None, status: str, **fields: Any) -> Outcome:
    # Not tried: the claim's attempt is given back.
    channel_id, kind = (channel.pk, channel.kind) if channel is not None else (None, "")
    return Outcome(delivery_id, attempt, channel_id, kind, status, {"attempts": attempt - 1, **fields}, attempted=False)


def _release(claimed: dict[int, int], now: datetime) -> None:
    try:
        record([_unattempted(i, a, None, DeliveryStatus.PENDING, next_attempt_at=now) for i, a in claimed.items()], now)
    except Exception:
        logger.exception("Could not give back %s claimed deliveries; the sweeper will", len(claimed))


def _outcome(job: batch.Job, attempt: int, result: batch.Result, now: datetime) -> Outcome:
    """Decide from a send's result what the delivery becomes: sent, retried, failed, dead or held."""
    kind, channel_id = job.channel.kind, job.channel.pk
    if result.broken:
        # An earlier attempt of this batch showed the channel broken: kept for it, like its other waiting ones.
        return _unattempted(job.delivery_id, attempt, job.channel, DeliveryStatus.HELD)
    if result.deferred is not None:
        # From now, not from the batch's start: the wait was decided as the send came up.
        # A wait as long as a service's Retry-After may be is left to the sweeper, as below.
        delay = math.ceil(result.deferred)
        return Outcome(
            job.delivery_id, attempt, channel_id, kind, DeliveryStatus.PENDING,
            {"attempts": attempt - 1, "next_attempt_at": timezone.now() + timedelta(seconds=delay)},
            attempted=False, countdown=delay if delay < settings.TASK_RETRY_MAX_COUNTDOWN_SECONDS else None,
        )  # fmt: skip
    error = result.error
    if error is None:
        return Outcome(
            job.delivery_id, attempt, channel_id, kind, DeliveryStatus.SENT,
            {"sent_at": timezone.now(), "response_code": result.code, "last_error": ""},
        )  # fmt: skip
    common = {"last_error": redact(error.message)[:2000], "response_code": error.status}
    if error.fault is Fault.DELIVERY:
        return Outcome(job.delivery_id, attempt, channel_id, kind, DeliveryStatus.FAILED, common)
    if error.fault is Fault.CHANNEL:
        # Kept for the channel like everything published while it is disabled.
        return Outcome(job.delivery_id, attempt, channel_id, kind, DeliveryStatus.HELD, common)
    if attempt >= settings.NOTIFICATION_MAX_ATTEMPTS:
        return Outcome(job.delivery_id, attempt, channel_id, kind, DeliveryStatus.DEAD, common)
    if error.retry_after is not None:
        delay = max(0.0, error.retry_after)
    else:
        delay = backoff_delay(
            attempt, base=settings.NOTIFICATION_RETRY_BASE_SECONDS, cap=settings.NOTIFICATION_RETRY_CAP_SECONDS
        )
    # Longer waits are left to the sweeper: a Celery countdown that outlives the broker's
    # visibility timeout gets the task delivered twice (adolf.checks). Rounded up: a task
    # that ran before next_attempt_at would find nothing to claim.
    countdown = math.ceil(delay) if delay < settings.TASK_RETRY_MAX_COUNTDOWN_SECONDS else None
    return Outcome(
        job.delivery_id, attempt, channel_id, kind, DeliveryStatus.PENDING,
        {**common, "next_attempt_at": now + timedelta(seconds=delay)}, countdown=countdown,
    )  # fmt: skip


def record(outcomes: Sequence[Outcome], now: datetime) -> None:
    """Write a batch's outcomes in one transaction: one fenced UPDATE per status (and set of fields).

    A channel an attempt showed broken is disabled once, with its alert, in the same
    transaction as its held deliveries (notifications.channels.broken). Each channel's
    last error is noted; retries due soon are re-dispatched after the commit.
    """
    groups: dict[tuple[str, frozenset[str]], list[Outcome]] = defaultdict(list)
    broken: dict[int, list[Outcome]] = defaultdict(list)
    errors: dict[int, str] = {}
    for outcome in outcomes:
        error = outcome.fields.get("last_error")
        channel_id = outcome.channel_id
        if error and outcome.attempted and channel_id is not None:
            errors[channel_id] = error
        if outcome.status == DeliveryStatus.HELD and outcome.attempted and channel_id is not None:
            broken[channel_id].append(outcome)
            continue
        groups[(outcome.status, frozenset(outcome.fields))].append(outcome)
    with transaction.atomic():
        for (status, _names), group in groups.items():
            _update_fenced(status, group)
        for channel_id, error in errors.items():
            Channel.objects.filter(pk=channel_id).update(last_error=error, last_error_at=now)
        for channel_id, group in broken.items():
            # Rare (a channel breaks once): row by row, so the channel is disabled only if one
            # of its rows was still this batch's to record.
            if sum(finish(o.delivery_id, o.attempt, status=o.status, **o.fields) for o in group):
                channels.broken(channel_id, group[0].fields["last_error"], now)
    # After the commit (this is called outside any transaction): a task must find them pending.
    retries: dict[int, list[int]] = defaultdict(list)
    for outcome in outcomes:
        if outcome.status == DeliveryStatus.PENDING and outcome.countdown is not None:
            retries[outcome.countdown].append(outcome.delivery_id)
    for countdown, ids in retries.items():
        enqueue(ids, countdown=countdown)
    for outcome in outcomes:
        if outcome.status == DeliveryStatus.FAILED:
            logger.warning(
                "Delivery %s failed for good (the channel stays enabled): %s",
                outcome.delivery_id, outcome.fields["last_error"],
            )  # fmt: skip
        elif outcome.status == DeliveryStatus.DEAD:
            logger.warning(
                "Delivery %s is dead after %s attempts: %s",
                outcome.delivery_id, outcome.attempt, outcome.fields["last_error"],
            )  # fmt: skip


def _update_fenced(status: str, group: Sequence[Outcome]) -> int:
    """Write one status to rows whose claim still holds; return how many.

    Fields equal in every row are set once; fields that differ come per row, from a VALUES
    list joined on (id, attempt) on PostgreSQL, or a CASE elsewhere (SQLite, development).
    """
    same: dict[str, Any] = {"status": status, "claimed_at": None}
    varying: list[str] = []
    for name in group[0].fields:
        if len({repr(o.fields[name]) for o in group}) == 1:
            same[name] = group[0].fields[name]
        else:
            varying.append(name)
    if connection.vendor == "postgresql":
        return _update_from_values(group, same, varying)
    fence = Q()
    by_attempt: dict[int, list[int]] = defaultdict(list)
    for outcome in group:
        by_attempt[outcome.attempt].append(outcome.delivery_id)
    for attempt, ids in by_attempt.items():
        fence |= Q(attempts=attempt, pk__in=ids)
    values = dict(same)
    for name in varying:
        field = Delivery._meta.get_field(name)
        values[name] = Case(
            *[When(pk=o.delivery_id, then=Value(o.fields[name], output_field=field)) for o in group],
            default=F(name), output_field=field,
        )  # fmt: skip
    return Delivery.objects.filter(fence, status=DeliveryStatus.SENDING).update(**values)


def _update_from_values(group: Sequence[Outcome], same: dict[str, Any], varying: list[str]) -> int:
    """PostgreSQL: `UPDATE … FROM (VALUES (id, attempt, …), …)`, one statement whatever the batch's size.

    (Django's CASE per row costs milliseconds a row to build; this costs microseconds.)
    """
    quote = connection.ops.quote_name
    fields = {name: Delivery._meta.get_field(name) for name in [*same, *varying]}
    assignments = [f"{quote(fields[name].column)} = %s" for name in same]
    assignments += [f"{quote(fields[name].column)} = v.{quote(name)}" for name in varying]
    params: list[Any] = [fields[name].get_db_prep_value(value, connection) for name, value in same.items()]
    rows = []
    for index, outcome in enumerate(group):
        # The first row names each column's type; the others follow it.
        casts = [f"::{fields[name].db_type(connection)}" if index == 0 else "" for name in varying]
        rows.append("(" + ", ".join(["%s::bigint", "%s::integer", *(f"%s{cast}" for cast in casts)]) + ")")
        params += [outcome.delivery_id, outcome.attempt]
        params += [fields[name].get_db_prep_value(outcome.fields[name], connection) for name in varying]
    columns = ", ".join(["id", "attempt", *(quote(name) for name in varying)])
    table = quote(Delivery._meta.db_table)
    # Only names from the model and placeholders go into the text; every value is a parameter.
    sql = (
        f"UPDATE {table} SET {', '.join(assignments)} FROM (VALUES {', '.join(rows)}) AS v({columns})"  # noqa: S608
        f" WHERE {table}.id = v.id AND {table}.attempts = v.attempt AND {table}.status = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, DeliveryStatus.SENDING])
        return cursor.rowcount


def retry_now(deliveries: Iterable[Delivery]) -> int:
    """Make failed, dead or waiting deliveries due at once with a fresh attempt budget; return how many."""
    now = timezone.now()
    ids = [d.pk for d in deliveries if d.status in (DeliveryStatus.PENDING, DeliveryStatus.FAILED, DeliveryStatus.DEAD)]
    retried = Delivery.objects.filter(
        pk__in=ids, status__in=(DeliveryStatus.PENDING, DeliveryStatus.FAILED, DeliveryStatus.DEAD)
    ).update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, last_error="")
    transaction.on_commit(lambda: enqueue(ids))
    return retried


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Re-dispatch what no task is carrying: due pending rows, "sending" rows whose worker died, and
    deliveries held for a channel that is enabled (channels.release_stranded)."""
    now = now or timezone.now()
    unheld = channels.release_stranded(now)
    lost = "The worker sending this delivery stopped before recording the outcome"
    released: list[int] = []
    dead = 0
    stale = Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=now - lease())
    for delivery_id, attempts in stale.values_list("pk", "attempts")[:SWEEP_BATCH]:
        if attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            dead += finish(delivery_id, attempts, status=DeliveryStatus.DEAD, last_error=lost)
        elif finish(delivery_id, attempts, status=DeliveryStatus.PENDING, next_attempt_at=now, last_error=lost):
            released.append(delivery_id)
    due = Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now).filter(
        # Short waits have a task on the way (give it a grace period); long ones only have us.
        Q(next_attempt_at__lte=now - SWEEP_GRACE)
        | Q(next_attempt_at__gte=F("last_attempt_at") + timedelta(seconds=settings.TASK_RETRY_MAX_COUNTDOWN_SECONDS))
    )
    ids = list(dict.fromkeys([*released, *due.order_by("next_attempt_at").values_list("pk", flat=True)[:SWEEP_BATCH]]))
    enqueue([*ids, *unheld])
    return {"dispatched": len(ids), "released": len(released), "dead": dead, "unheld": len(unheld)}


def send_test(channel: Channel) -> TransportError | None:
    """Send a test notification through a channel right now; return the error, if any."""
    notification = Notification(
        event_type="notifications.test",
        title=_("Test notification from ADOLF"),
        message=_("If you can read this, the channel “%(name)s” works.") % {"name": channel.name},
        source_module="adolf",
        level=Level.INFO,
        created=timezone.now(),
    )
    try:
        transport_for(channel.kind)(channel).send(notification, idempotency_key=str(uuid.uuid4()))
    except TransportError as exc:
        error = redact(exc.message)[:2000]
        Channel.objects.filter(pk=channel.pk).update(last_error=error, last_error_at=timezone.now())
        return exc
    return None
