"""What "Test connection" and `manage.py check_store` say about a store: one ordered list of findings.

First the connection's findings (shop.woocommerce.diagnosis: TLS, the API's own checks,
the clock), then what the store's own records show: each function of STORE_CHECKS takes
the store and yields Findings, in the order listed. A store check reads what polling
recorded and never calls the store. Polls can work when no finding is BLOCKING.

To add a check (a store that caps its pages, ignores `modified_after`, has orders set
aside), write `def check(store: Store) -> Iterable[Finding]` beside the code that records
the fact and append it to STORE_CHECKS; the admin and `check_store` print it as one more
line, and its severity counts toward the exit status.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC

from django.conf import settings
from django.utils.translation import gettext as _

from shop.clients import client_for
from shop.listing_health import store_check
from shop.models import Store
from shop.woocommerce.base import ConnectionReport, Finding, Severity
from shop.woocommerce.config import StoreConfigError
from shop.woocommerce.diagnosis import diagnose

StoreCheck = Callable[[Store], Iterable[Finding]]


def polling_switched_on(store: Store) -> Iterable[Finding]:
    """Warn when nothing will poll the store, however well it answers."""
    if not settings.SHOP_POLLING_ENABLED:
        yield Finding("polling", Severity.WARNING, _("SHOP_POLLING_ENABLED is off: no store is polled"))
    if not store.enabled:
        yield Finding("polling", Severity.WARNING, _("the store is disabled: it is polled once “enabled” is ticked"))


def last_poll(store: Store) -> Iterable[Finding]:
    """Say how polls of the store have gone: failing since when, and with what error."""
    if store.failing_since is not None:
        error = (store.last_error or _("no error recorded")).splitlines()[0]
        when = store.failing_since.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        yield Finding(
            "last poll",
            Severity.WARNING,
            _("polls have failed since %(when)s: %(error)s") % {"when": when, "error": error},
        )
    elif store.last_success_at is None:
        yield Finding("last poll", Severity.OK, _("not polled yet"))
    else:
        when = store.last_success_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        yield Finding("last poll", Severity.OK, _("the last poll succeeded at %(when)s") % {"when": when})


STORE_CHECKS: list[StoreCheck] = [polling_switched_on, last_poll, store_check]


def check_store(store: Store, *, need_write: bool = False) -> ConnectionReport:
    """Diagnose one store: the connection first, then each of STORE_CHECKS.

    `need_write` makes a read-only key blocking (for registering webhooks).
    """
    try:
        client = client_for(store)
    except StoreConfigError as exc:
        report = ConnectionReport(store=store.name, api=store.api)
        report.add("settings", False, _("the store's settings cannot work: %(error)s") % {"error": exc})
    else:
        with client:
            report = diagnose(client, need_write=need_write)
    for check in STORE_CHECKS:
        report.findings.extend(check(store))
    return report
