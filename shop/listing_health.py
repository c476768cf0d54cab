"""What polls learn of how a store serves its orders, kept on the store and told as findings.

A store may cap its pages whatever `per_page` asks (woocommerce/woocommerce#54035), ignore
`modified_after` (WooCommerce before 5.8, an HPOS bug: #36307), have its clock set back
(shop.store_clock), send orders that cannot
be recorded (shop.set_aside), use statuses no rule knows (shop.statuses), or offer an API
that cannot show some of it (shop.woocommerce.coverage). Polling handles each; this module
remembers them on the Store (`Learning`, saved with the poll's own writes: no query of its
own) and says them in plain words: `findings` for the store's page, `store_check` for
`check_store` and Test connection (shop.diagnosis.STORE_CHECKS).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shop import statuses, store_clock
from shop.models import Store
from shop.woocommerce.base import Finding, OrderPage, Severity
from shop.woocommerce.coverage import protections

Said = tuple[bool, str]  # (ok, text): ok False is something for the operator to look at
Named = tuple[str, bool, str]  # (what was looked at, ok, text)


class Learning:
    """What one poll's pages show of the store, as Store fields to save."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.page_cap: int | None = None
        self.largest_page = 0
        self.outside_filter = 0

    def observe(self, page: OrderPage) -> None:
        self.page_cap = page.page_cap or self.page_cap
        self.largest_page = max(self.largest_page, page.served)
        self.outside_filter += page.outside_filter

    def fields(self, *, complete: bool) -> dict[str, Any]:
        """Return the Store fields that change with what this poll saw (empty: nothing new).

        A flag is raised as soon as a poll shows it, and lowered only by a whole listing that
        shows the opposite: a page larger than the cap, no order outside the filter.
        """
        store, changed = self.store, {}
        if self.page_cap and self.page_cap != store.page_cap:
            changed["page_cap"] = self.page_cap
        elif store.page_cap and self.largest_page > store.page_cap:
            changed["page_cap"] = None
        if self.outside_filter and store.ignores_modified_after is None:
            changed["ignores_modified_after"] = timezone.now()
        elif complete and not self.outside_filter and store.ignores_modified_after is not None:
            changed["ignores_modified_after"] = None
        for name, value in changed.items():
            setattr(store, name, value)
        return changed


def findings(store: Store) -> list[Said]:
    """Return what polling learned of the store and what its API allows, as (ok, text), one per finding.

    `ok` False: something the operator should look at (orders not recorded, statuses no
    rule knows); none of them stops polling. Reads the store's own fields, and its
    set-aside orders when it has any.
    """
    return [(ok, text) for _name, ok, text in [*_listing(store), *_orders(store), *_api(store)]]


def listing_findings(store: Store) -> list[Said]:
    """What polls learned of how the store lists its orders: capped pages, an ignored filter."""
    return [(ok, text) for _name, ok, text in _listing(store)]


def store_check(store: Store) -> Iterator[Finding]:
    """The lines `check_store` and Test connection add for what polling learned (shop.diagnosis.STORE_CHECKS).

    Warnings, never blocking: polls work whatever these say. What the API cannot see is
    said by the connection's own checks already.
    """
    for name, ok, text in [*_listing(store), *_orders(store)]:
        yield Finding(name, Severity.OK if ok else Severity.WARNING, text)


def _listing(store: Store) -> list[Named]:
    said: list[Named] = []
    if store_clock.went_back_recently(store):
        said.append(("clock went back", False, clock_went_back(store)))
    if store.page_cap:
        said.append(("listing", True, _(
            "The store serves at most %(cap)d orders a page whatever per_page asks (a plugin?); "
            "ADOLF pages by what it serves."
        ) % {"cap": store.page_cap}))  # fmt: skip
    if store.ignores_modified_after:
        said.append(("listing", True, _(
            "The store ignores modified_after (WooCommerce before 5.8, or an HPOS bug): every poll reads its whole "
            "order history, and orders modified before the polling window are not taken as news."
        )))  # fmt: skip
    return said


def clock_went_back(store: Store) -> str:
    """Say when and how far the store's clock was last seen set back (shop.store_clock), and that nothing was lost."""
    return _(
        "The store's clock went back by %(seconds)d s (seen %(when)s): ADOLF read again the orders changed since, "
        "so none was missed. Check the store host's time settings (NTP, time zone)."
    ) % {
        "seconds": store.clock_went_back_by or 0,
        "when": timezone.localtime(store.clock_went_back_at).strftime("%Y-%m-%d %H:%M"),
    }


def _orders(store: Store) -> list[Named]:
    said: list[Named] = []
    if store.orders_set_aside:
        reasons = "; ".join(
            f"#{order_id or '?'}: {reason}"
            for order_id, reason in store.set_aside.order_by("order_id").values_list("order_id", "reason")[:5]
        )
        said.append(("orders set aside", False, ngettext(
            "%(count)d order set aside: it could not be recorded (%(reasons)s). It is tried again when it next "
            "changes, or by Retry in the admin.",
            "%(count)d orders set aside: they could not be recorded (%(reasons)s). Each is tried again when it next "
            "changes, or by Retry in the admin.",
            store.orders_set_aside,
        ) % {"count": store.orders_set_aside, "reasons": reasons}))  # fmt: skip
    unknown = sorted(status for status in store.unknown_statuses if statuses.is_unknown(status, store.status_meanings))
    if unknown:
        said.append(("statuses", False, _(
            "Statuses no rule knows: %(statuses)s. An order in one counts as paid when it has a payment date; "
            "say what each means under the store's plugin statuses."
        ) % {"statuses": ", ".join(unknown)}))  # fmt: skip
    if store.evidence_waiting:
        said.append(("evidence", True, ngettext(
            "%(count)d order never seen before waits for its notes or refunds to show whether its change is recent.",
            "%(count)d orders never seen before wait for their notes or refunds to show whether their change is "
            "recent.",
            store.evidence_waiting,
        ) % {"count": store.evidence_waiting}))  # fmt: skip
    return said


def _api(store: Store) -> list[Named]:
    said: list[Named] = []
    has_rest_keys = bool(store.rest_consumer_key and store.rest_consumer_secret)
    for allowed, text in protections(store.api, has_rest_keys=has_rest_keys):
        if not allowed:
            said.append(("api", True, _("This store's API allows less: %(what)s.") % {"what": text}))
    return said
