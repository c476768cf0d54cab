"""Backoff arithmetic shared by every retried external call."""

from __future__ import annotations

import random


def backoff_delay(attempt: int, *, base: float, cap: float, jitter: bool = True) -> float:
    """Return the delay before retry number `attempt` (1-based): capped exponential, full jitter.

    Full jitter (a random delay in [0, base·2^(n-1)]) spreads the retries of many callers
    that failed together, as Celery's retry_jitter does.
    """
    ceiling = min(cap, base * 2 ** max(attempt - 1, 0))
    return random.uniform(0, ceiling) if jitter else ceiling  # noqa: S311 - spreading load, not a secret
