"""Keep sends within a service's rate limits, across every worker: reserve the next free slot.

A pace is a key and the interval between two sends under it (Telegram: 1/30 s per bot,
1 s per chat; core.telegram.org/bots/faq "My bot is hitting limits"). Reserving a send
under several paces takes the first moment free under all of them and books it in each.

With Redis (REDIS_URL) the slots live there, booked by one Lua script, so every worker
process keeps to the same limit; without it (a single-process development setup) they
live in this process. A booking further away than the caller's horizon is not made: the
caller defers that send instead of holding a worker for it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from functools import cache

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

Pace = tuple[str, float]  # (key, seconds between two sends under it)

KEY_PREFIX = "adolf:pace:"
REDIS_TIMEOUT_SECONDS = 2.0
# A search for a free slot steps past at most this many booked ones (a horizon of seconds
# at Telegram's 30 a second is well within it).
MAX_STEPS = 1000

# Each key is a sorted set of booked send times (ms). A send at t needs every key's bookings
# at least that key's interval away from t, before or after: a chat's next message waits a
# second, while another chat of the same bot takes a free slot between the bot's bookings.
# KEYS: the pace keys; ARGV[1]: the horizon in ms, ARGV[2]: MAX_STEPS, ARGV[3..]: each
# key's interval in ms.
# Returns the wait in ms for a booked slot, or -1 - (the wait) when it is past the horizon
# and nothing was booked. Redis's own clock is the one clock every worker shares.
RESERVE = """
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local horizon = tonumber(ARGV[1])
local t = now
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - tonumber(ARGV[i + 2]))
end
for step = 1, tonumber(ARGV[2]) do
  local moved = false
  for i, key in ipairs(KEYS) do
    local interval = tonumber(ARGV[i + 2])
    local near = redis.call('ZRANGEBYSCORE', key, '(' .. (t - interval), '(' .. (t + interval))
    if #near > 0 then
      t = tonumber(near[#near]) + interval
      moved = true
    end
  end
  if not moved then break end
end
local wait = t - now
if wait > horizon then return -1 - wait end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, t, t)
  redis.call('PEXPIRE', key, wait + tonumber(ARGV[i + 2]) + 1000)
end
return wait
"""


class LocalPacer:
    """Slots kept in this process, as the Redis script keeps them: right for one worker process."""

    def __init__(self) -> None:
        self._booked: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def reserve(self, paces: Sequence[Pace], horizon: float) -> float | None:
        """Book the first slot free under every pace; return seconds to wait, or None past `horizon`."""
        with self._lock:
            now = time.monotonic()
            for key, interval in paces:
                self._booked[key] = [t for t in self._booked.get(key, []) if t > now - interval]
            start = now
            for _step in range(MAX_STEPS):
                moved = False
                for key, interval in paces:
                    near = [t for t in self._booked[key] if start - interval < t < start + interval]
                    if near:
                        start, moved = max(near) + interval, True
                if not moved:
                    break
            if start - now > horizon:
                return None
            for key, _interval in paces:
                self._booked[key].append(start)
            return start - now


class RedisPacer:
    """Slots kept in Redis, shared by every worker; falls back to `local` if Redis does not answer."""

    def __init__(self, url: str, local: LocalPacer) -> None:
        client = redis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
        )
        self._script = client.register_script(RESERVE)
        self._local = local

    def reserve(self, paces: Sequence[Pace], horizon: float) -> float | None:
        """Book the first slot free under every pace; return seconds to wait, or None past `horizon`."""
        keys = [KEY_PREFIX + key for key, _interval in paces]
        intervals = [max(1, round(interval * 1000)) for _key, interval in paces]
        try:
            wait_ms = int(self._script(keys=keys, args=[round(horizon * 1000), MAX_STEPS, *intervals]))
        except redis.RedisError as exc:
            # Sends go on paced per process rather than stop: Telegram answers 429 with
            # retry_after if several processes together go over, and that is retried.
            logger.warning("Pacing in Redis failed (%s); pacing in this process", type(exc).__name__)
            return self._local.reserve(paces, horizon)
        return None if wait_ms < 0 else wait_ms / 1000


@cache
def pacer() -> LocalPacer | RedisPacer:
    """Return this process's pacer: Redis's when REDIS_URL is set, else a local one."""
    local = LocalPacer()
    return RedisPacer(settings.REDIS_URL, local) if settings.REDIS_URL else local
