"""Exactly one beat sends: a leader lock in Redis that a second beat waits on.

Compose's `--scale beat=2` overrides `deploy.replicas: 1`, and Kubernetes' Recreate
strategy covers rollouts only: two beats would send every periodic task twice (the poll
dispatcher copes, the sweepers and pruning do not need to run twice). So each beat ticks
only while it holds `adolf:beat:leader`, a key set with NX and a TTL, renewed at every
tick by its holder alone (compare-and-expire in one script). A beat that dies leaves a key
that expires after BEAT_LOCK_SECONDS, and a standing-by beat takes over. Redis losing the
key (a restart without persistence) costs nothing: the leader sets it again, or a
standby takes it first and the old leader steps down at its next tick.

The lock lives on the Redis the broker or REDIS_URL names; the embedded broker of
`make run` (one machine, one beat) has none, and beat then runs unguarded.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

KEY = "adolf:beat:leader"

# Renew the key's TTL only if this beat still holds it: 1 if renewed, 0 if not ours.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
# Delete the key only if this beat holds it (a clean shutdown hands over at once).
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""


def lock_url() -> str:
    """The Redis URL the lock lives on: the broker's if it is Redis, else REDIS_URL; "" if none."""
    broker = settings.CELERY_BROKER_URL
    if broker.startswith(("redis://", "rediss://")):
        return broker
    return settings.REDIS_URL or ""


class LeaderLock:
    """One beat's claim on the leader key.

    `holds()` is called at every tick: it renews the key if this beat holds it, takes it if
    it is free, and returns whether this beat may send. Redis errors count as "may not":
    a beat that cannot reach the broker's Redis could not send anyway.
    """

    def __init__(self, url: str, ttl_seconds: int) -> None:
        self.ttl_ms = ttl_seconds * 1000
        self.identity = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self.leading = False
        self._holder_logged = ""

    def holds(self) -> bool:
        """Renew or take the lock; return whether this beat is the leader now."""
        try:
            # Renewed whenever the key is ours, even if a Redis error made this beat step
            # down meanwhile: it would otherwise stand by behind its own lock until the TTL.
            if self.client.eval(_RENEW, 1, KEY, self.identity, self.ttl_ms):
                self.leading = True
                return True
            taken = bool(self.client.set(KEY, self.identity, nx=True, px=self.ttl_ms))
            holder = "" if taken else (self.client.get(KEY) or b"").decode(errors="replace")
        except redis.RedisError as exc:
            if self.leading:
                logger.warning("beat: cannot reach Redis to renew the leader lock, not sending: %s", exc)
            self.leading = False
            return False
        if taken:
            logger.info("beat: leading (lock %s held by %s)", KEY, self.identity)
        elif self.leading or holder != self._holder_logged:
            # Said once per holder, not at every tick.
            logger.warning("beat: another beat is running (%s); standing by until it stops", holder)
            self._holder_logged = holder
        self.leading = taken
        return taken

    def release(self) -> None:
        """Give the lock up if this beat holds it (at shutdown), so a standby takes over at once."""
        if not self.leading:
            return
        try:
            self.client.eval(_RELEASE, 1, KEY, self.identity)
        except redis.RedisError as exc:
            logger.warning("beat: could not release the leader lock (it expires by itself): %s", exc)
        self.leading = False
