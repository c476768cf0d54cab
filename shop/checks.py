"""The shop's rules between settings, checked with the others at start (adolf.checks)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from adolf.checks import SETTINGS, visibility_error


@checks.register(SETTINGS)
def check_poll_budget(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A poll's reading budget and its lease against the task's soft time limit and one request to the store.

    A poll stops reading once SHOP_POLL_MAX_SECONDS have passed, but only between pages:
    the page in flight may take SHOP_STORE_TIMEOUT more. The lease (shop.locks) is renewed
    with every page, so it must outlast one request, or another poll takes it mid-page and
    this one stops with LeaseLost.
    """
    errors: list[checks.CheckMessage] = []
    budget, timeout = settings.SHOP_POLL_MAX_SECONDS, settings.SHOP_STORE_TIMEOUT
    soft, lease = settings.CELERY_TASK_SOFT_TIME_LIMIT, settings.SHOP_POLL_LEASE_SECONDS
    if budget + timeout >= soft:
        errors.append(
            checks.Error(
                f"SHOP_POLL_MAX_SECONDS={budget} leaves no room under CELERY_TASK_SOFT_TIME_LIMIT={soft}: a poll "
                f"reads on to the end of its page (up to SHOP_STORE_TIMEOUT={timeout} s) and would be stopped by "
                "the time limit instead of by its own budget.",
                hint=(
                    "The rule: SHOP_POLL_MAX_SECONDS + SHOP_STORE_TIMEOUT < CELERY_TASK_SOFT_TIME_LIMIT. Lower "
                    "SHOP_POLL_MAX_SECONDS (default: half the soft time limit) or raise the time limits."
                ),
                id="shop.E001",
            )
        )
    if lease <= timeout:
        errors.append(
            checks.Error(
                f"SHOP_POLL_LEASE_SECONDS={lease} is not longer than SHOP_STORE_TIMEOUT={timeout}: the poll lease "
                "is renewed with every page, and while one request to the store takes longer than the lease, "
                "another poll takes the store and both stop.",
                hint="The rule: SHOP_POLL_LEASE_SECONDS > SHOP_STORE_TIMEOUT.",
                id="shop.E002",
            )
        )
    return errors


@checks.register(SETTINGS)
def check_dispatch_countdowns(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The poll dispatcher's hold on a poll against Redis' visibility timeout.

    Each run of shop.dispatch_polls claims the stores due within the next two runs and
    publishes each poll with its due time as eta (shop.schedules), so a poll waits
    unacknowledged for up to twice SHOP_DISPATCH_SECONDS (10 s by default) and then runs
    to the task time limit (adolf.checks.visibility_error).
    """
    dispatch = settings.SHOP_DISPATCH_SECONDS
    error = visibility_error(
        "SHOP_DISPATCH_SECONDS",
        dispatch,
        f"the poll dispatcher holds each poll until its due time, up to twice that: {2 * dispatch} s",
        "shop.E003",
        held=2 * dispatch,
        term="2 × SHOP_DISPATCH_SECONDS",
    )
    return [] if error is None else [error]
