"""What every store client offers the poller, whatever protocol it speaks underneath."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from shop.woocommerce.config import StoreConfig
from shop.woocommerce.errors import StoreError
from shop.woocommerce.orders import Order, RefundRecord, UnreadableOrder


@dataclass(frozen=True)
class Cursor:
    """Where a listing stands: its offset and the highest order id already handed out.

    Pass a page's `cursor` back as `resume` to continue a listing after a crash or a retry.
    """

    offset: int = 0
    last_id: int = 0
    page: int = 0
    cap: int = 0  # the most orders the store serves a page, when it serves fewer than asked (0: not seen)


@dataclass(frozen=True)
class OrderPage:
    """One page of a listing of modified orders, with the store's clock when it was served."""

    orders: tuple[Order, ...]
    number: int  # 1-based, counted by this listing
    total_pages: int | None  # what the store said (X-WP-TotalPages); None when it doesn't say
    total_orders: int | None  # X-WP-Total; None when unknown (MCP)
    store_time: datetime | None  # the response's HTTP Date
    cursor: Cursor  # resume here to read what follows this page
    last: bool
    drafts_skipped: int = 0
    rewinds: int = 0  # times the listing shrank under us and was re-read from further back
    # Orders of this page that cannot be parsed (to be set aside, not to fail the page).
    unreadable: tuple[UnreadableOrder, ...] = ()
    # Orders served though modified at or before the listing's `after`: the store ignores the filter.
    outside_filter: int = 0
    # The most orders the store served a page while more followed, if fewer than asked (None: not capped).
    page_cap: int | None = None
    served: int = 0  # orders the store served for this page, drafts and re-read ones included


class Severity(StrEnum):
    """How much a finding matters to polling."""

    OK = "ok"  # checked and fine
    WARNING = "warning"  # polls can work, but something is off or will be (a read-only key, a clock far off)
    BLOCKING = "blocking"  # polls cannot work until this is fixed


SEVERITY_LABELS = {
    Severity.OK: pgettext_lazy("finding", "ok"),
    Severity.WARNING: pgettext_lazy("finding", "warning"),
    Severity.BLOCKING: pgettext_lazy("finding", "fails"),
}
# What each check looks at, as the operator reads it before the finding; a name not
# here (a check added without one) is printed as it is.
FINDING_NAMES = {
    "trust": pgettext_lazy("finding", "trust"),
    "certificate": pgettext_lazy("finding", "certificate"),
    "reachable": pgettext_lazy("finding", "reachable"),
    "rest api": pgettext_lazy("finding", "rest api"),
    "woocommerce": pgettext_lazy("finding", "woocommerce"),
    "keys": pgettext_lazy("finding", "keys"),
    "version": pgettext_lazy("finding", "version"),
    "read orders": pgettext_lazy("finding", "read orders"),
    "write": pgettext_lazy("finding", "write"),
    "clock": pgettext_lazy("finding", "clock"),
    "cannot see": pgettext_lazy("finding", "cannot see"),
    "endpoint": pgettext_lazy("finding", "endpoint"),
    "https": pgettext_lazy("finding", "https"),
    "credentials": pgettext_lazy("finding", "credentials"),
    "session": pgettext_lazy("finding", "session"),
    "settings": pgettext_lazy("finding", "settings"),
    "polling": pgettext_lazy("finding", "polling"),
    "last poll": pgettext_lazy("finding", "last poll"),
    "listing": pgettext_lazy("finding", "listing"),
    "clock went back": pgettext_lazy("finding", "clock went back"),
    "orders set aside": pgettext_lazy("finding", "orders set aside"),
    "statuses": pgettext_lazy("finding", "statuses"),
    "evidence": pgettext_lazy("finding", "evidence"),
}
REST_PREFIX = "REST "  # an MCP store's findings about its REST keys (shop.woocommerce.mcp)


def finding_name(name: str) -> str:
    """Return a finding's name in the active language ("read orders" -> "чтение заказов"); unknown ones as given."""
    if name.startswith(REST_PREFIX):
        return REST_PREFIX + finding_name(name.removeprefix(REST_PREFIX))
    return str(FINDING_NAMES.get(name, name))


@dataclass(frozen=True)
class Finding:
    """One thing a diagnosis found: what was checked (`name`), how much it matters, and in words."""

    name: str
    severity: Severity
    detail: str

    @property
    def ok(self) -> bool:
        """Whether polls can work despite this finding: anything but BLOCKING."""
        return self.severity is not Severity.BLOCKING

    def line(self) -> str:
        """Return the finding as one line: `[ok] name: detail`, `[warning] …`, `[fails] …`.

        The label and the name are worded in the active language; the detail was when it was found.
        """
        return f"[{SEVERITY_LABELS[self.severity]}] {finding_name(self.name)}: {self.detail}"


@dataclass
class ConnectionReport:
    """The answer to "Test connection" and `check_store`: an ordered list of findings.

    Polls can work when no finding is BLOCKING. Checks append findings in the order they
    ran; a check whose failure makes the later ones meaningless returns False from `add`
    so its caller can stop there.
    """

    store: str
    api: str
    findings: list[Finding] = field(default_factory=list)
    version: str = ""
    store_time: datetime | None = None
    can_write: bool | None = None
    # What the connection works for but cannot show (shop.woocommerce.coverage); not failures.
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether polls can work: something was checked and nothing blocks."""
        return bool(self.findings) and all(finding.ok for finding in self.findings)

    @property
    def problems(self) -> list[str]:
        """The details of the blocking findings."""
        return [f.detail for f in self.findings if f.severity is Severity.BLOCKING]

    @property
    def warnings(self) -> list[str]:
        """The details of the warnings."""
        return [f.detail for f in self.findings if f.severity is Severity.WARNING]

    def add(self, name: str, ok: bool, detail: str, *, severity: Severity | None = None) -> bool:
        """Append a finding (OK when `ok`, else BLOCKING, unless `severity` says); return `ok`."""
        self.findings.append(Finding(name, severity or (Severity.OK if ok else Severity.BLOCKING), detail))
        return ok

    def warn(self, name: str, detail: str) -> None:
        """Append a WARNING: polls can work, but the operator should know."""
        self.findings.append(Finding(name, Severity.WARNING, detail))

    def lines(self) -> list[str]:
        """Return one line per finding, in the order they were found."""
        return [finding.line() for finding in self.findings]

    def summary(self) -> str:
        """Return the report in one line: the store, then its problems, or that it works (and its warnings)."""
        if not self.ok:
            said = f"{self.store}: " + "; ".join(self.problems)
        else:
            version = f" (WooCommerce {self.version})" if self.version else ""
            values = {"store": self.store, "version": version, "warnings": "; ".join(self.warnings)}
            if self.warnings:
                said = _("%(store)s: polls can work%(version)s, but %(warnings)s") % values
            else:
                said = _("%(store)s: connection works%(version)s") % values
        return said + "".join(f"; {note}" for note in self.notes)


class UnsupportedOperationError(StoreError):
    """This store's API flavour cannot do what was asked; the message says what to use instead."""


class StoreClient(Protocol):
    """The one interface the poller, the webhook handler and the admin use."""

    config: StoreConfig
    last_store_time: datetime | None

    def iter_modified_orders(self, after: datetime, *, resume: Cursor | None = None) -> Iterator[OrderPage]:
        """Yield pages of every order modified strictly after `after` (UTC), drafts dropped."""
        ...

    def get_order(self, order_id: int) -> Order:
        """Return one order by id; raise NotFoundError if the store has none, StoreError on failure."""

    def read_orders(self, order_ids: list[int]) -> list[Order | UnreadableOrder]:
        """Return many orders as they are now, as few requests as the API allows; ids it no longer lists are absent."""
        ...

    def list_refunds(self, order_id: int) -> list[RefundRecord]:
        """Return an order's refunds, each dated; raise StoreError on failure."""

    def test_connection(self, *, need_write: bool = False) -> ConnectionReport:
        """Run this API's own checks (shop.woocommerce.diagnosis adds TLS and the clock around them)."""

    def close(self) -> None:
        """Close the client's connections."""
