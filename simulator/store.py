"""The simulated store's state: orders, refunds, keys, its clock, and the faults to inject.

Thread-safe: the HTTP server's threads, the webhook deliverer, a scenario and the test
itself all call in under one lock. Listing is a filter and a sort over the orders, cached
until the next change, so reading 100 pages of 10,000 orders sorts once.
"""

from __future__ import annotations

import itertools
import math
import random
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from simulator.errors import ApiError, invalid_param
from simulator.notes import LANGUAGES, SimNote, note_json, status_change, status_set
from simulator.params import ids_param, int_param, one, parse_date
from simulator.payloads import SimOrder, SimRefund, order_json, refund_json

CORE_STATUSES = ("pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed", "checkout-draft")
DATE_FILTERS = ("after", "before", "modified_after", "modified_before")
ORDERBY = {"date": "created", "id": "id", "modified": "modified", "include": "id", "title": "id", "slug": "id"}


@dataclass(frozen=True)
class ApiKey:
    """A REST API key of the store and its permissions, as WooCommerce's key settings page sets them."""

    key: str
    secret: str
    permissions: str  # read | write | read_write

    def may(self, method: str) -> bool:
        """Whether the key's permissions allow an HTTP `method` (reads: GET, HEAD, OPTIONS)."""
        need = "read" if method in ("GET", "HEAD", "OPTIONS") else "write"
        return self.permissions == "read_write" or self.permissions == need


@dataclass
class Fault:
    """One misbehaviour to serve `times` times on paths starting with `path`."""

    # status | rate_limit | unauthorized | slow | malformed | truncate | short_page | bad_item | drop
    # | ignore_offset | no_totals (a proxy strips X-WP-Total and X-WP-TotalPages) | wrong_totals (both say 1)
    # | high_totals (both say 1000: a count of more orders than the listing serves)
    kind: str
    times: int = 1
    path: str = "/wp-json/"
    status: int = 500
    retry_after: str | None = None
    delay: float = 0.0
    drop: int = 1


def _key_pair(permissions: str) -> ApiKey:
    return ApiKey(f"ck_{secrets.token_hex(20)}", f"cs_{secrets.token_hex(20)}", permissions)


@dataclass
class SimulatedStore:
    """A WooCommerce store held in memory."""

    base_url: str = "http://127.0.0.1"
    version: str = "10.5.0"
    # Served as if behind a TLS-terminating proxy: Basic auth works. Off, it is a plain-http
    # store where WooCommerce accepts only OAuth 1.0a.
    https: bool = True
    rest_enabled: bool = True
    woocommerce_active: bool = True
    # The host's habits: an Apache/CGI host that drops the Authorization header, and one that
    # answers every request with a 301 to another address (https://www.… for https://…).
    strips_authorization: bool = False
    redirect_to: str = ""
    # WordPress's Settings → General → Timezone: the local dates of payloads, and how a
    # request's dates without an offset are read.
    timezone: str = "Europe/Moscow"
    # WooCommerce's `mcp_integration` feature (off by default in WooCommerce itself): without
    # it neither MCP endpoint exists.
    mcp_enabled: bool = True
    # The store's clock: ours shifted by this (set back at runtime, as an NTP correction or a
    # moved host does); and whether answers carry it as HTTP `Date` (a proxy or a PHP built-in
    # server that drops the header does not).
    clock_offset: timedelta = timedelta(0)
    sends_date: bool = True
    # WordPress's site language: the language of the order notes WooCommerce writes
    # (simulator.notes.LANGUAGES: en_US, ru_RU, de_DE).
    language: str = "en_US"
    keys: dict[str, ApiKey] = field(default_factory=dict)
    app_passwords: dict[str, str] = field(default_factory=dict)
    orders: dict[int, SimOrder] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    custom_statuses: set[str] = field(default_factory=set)
    # How plugins and bugs bend the order query (woocommerce/woocommerce#54035, #36307): at
    # most this many orders a page whatever `per_page` asks, and `modified_after` not applied
    # (WooCommerce before 5.8, an HPOS bug). Both hold for REST, the legacy tools and the adapter.
    page_cap: int | None = None
    ignores_modified_after: bool = False
    on_change: list[Callable[[str, SimOrder], None]] = field(default_factory=list)
    seed: int | None = None  # for the order of rows a query leaves unsorted

    def __post_init__(self) -> None:
        try:
            self.zone = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{self.timezone!r} is not a time zone name like Europe/Moscow or UTC") from None
        if self.language not in LANGUAGES:
            raise ValueError(f"{self.language!r} is not one of the simulated site languages {sorted(LANGUAGES)}")
        self.random = random.Random(self.seed)  # noqa: S311 - a simulation, not a secret
        self.lock = threading.RLock()
        self._next_id = 100
        self._next_note_id = 0
        self._revision = 0
        self._listing_cache: dict[tuple, list[SimOrder]] = {}
        if not self.keys:
            self.rw_key = self.add_key("read_write")
            self.read_key = self.add_key("read")
        if not self.app_passwords:
            self.app_passwords["adolf"] = " ".join(secrets.token_hex(2) for _ in range(6))

    # --- keys and clock ---------------------------------------------------------------
    def add_key(self, permissions: str) -> ApiKey:
        """Create a key pair with `permissions` (read | write | read_write) and return it."""
        key = _key_pair(permissions)
        self.keys[key.key] = key
        return key

    def now(self) -> datetime:
        """Return the store's clock (ours plus the injected offset), to the second."""
        return (datetime.now(UTC) + self.clock_offset).replace(microsecond=0)

    def local(self, when: datetime) -> datetime:
        """Return an aware moment as the store's naive local wall-clock time."""
        return when.astimezone(self.zone).replace(tzinfo=None)

    def from_local(self, naive: datetime) -> datetime:
        """Return the aware UTC moment a naive local time of the store names."""
        return naive.replace(tzinfo=self.zone).astimezone(UTC)

    def statuses(self) -> tuple[str, ...]:
        """Every order status the store knows: WooCommerce's, trash, then custom ones, sorted."""
        return (*CORE_STATUSES, "trash", *sorted(self.custom_statuses))

    def _register(self, status: str) -> None:
        # An extension's status exists because the extension registered it (register_post_status).
        if status not in CORE_STATUSES and status != "trash":
            self.custom_statuses.add(status)

    def capped(self, per_page: int) -> int:
        """Return how many orders a page really holds when `per_page` are asked for."""
        return min(per_page, self.page_cap) if self.page_cap else per_page

    # --- faults ---------------------------------------------------------------------
    def inject(self, kind: str, **options: Any) -> Fault:
        """Add a fault (kind and options as Fault takes them) to the next matching requests; return it."""
        fault = Fault(kind, **options)
        with self.lock:
            self.faults.append(fault)
        return fault

    def take_fault(self, path: str) -> Fault | None:
        """Return the first fault for a request to `path`, spending one of its times; None if there is none."""
        with self.lock:
            for fault in self.faults:
                if fault.times > 0 and path.startswith(fault.path):
                    fault.times -= 1
                    if fault.times == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    # --- mutations --------------------------------------------------------------------
    def _changed(self, topic: str, order: SimOrder) -> None:
        self._revision += 1
        self._listing_cache.clear()
        for listener in list(self.on_change):
            listener(topic, order)

    def _allocate_id(self) -> int:
        # Orders and refunds share one id sequence, as posts do in WordPress.
        self._next_id += 1
        return self._next_id

    def create_order(
        self, *, status: str = "pending", total: str | Decimal = "1500.00", at: datetime | None = None, **details: Any
    ) -> SimOrder:
        """Create an order with WooCommerce's notes and webhooks for it; return it."""
        with self.lock:
            when = (at or self.now()).replace(microsecond=0)
            order = SimOrder(
                id=self._allocate_id(), status=status, total=Decimal(str(total)), created=when, modified=when, **details
            )
            if status in ("processing", "completed"):
                order.paid = when
            if status == "completed":
                order.completed = when
            self._register(status)
            if status not in ("pending", "checkout-draft"):
                self._note(order, status_set(status, self.language), when)
            self.orders[order.id] = order
            self._changed("order.created", order)
            return order

    def _note(self, order: SimOrder, text: str, when: datetime, author: str = "system") -> None:
        # Notes are comments in WordPress: their ids come from a sequence of their own.
        self._next_note_id += 1
        order.notes.append(SimNote(self._next_note_id, text, when, author=author))

    def add_note(self, order_id: int, text: str, *, author: str = "Shop manager", at: datetime | None = None) -> None:
        """Add a private note as a shop manager does in wp-admin: it changes neither status nor modified date."""
        with self.lock:
            self._note(self.order(order_id), text, (at or self.now()).replace(microsecond=0), author)

    def order(self, order_id: int) -> SimOrder:
        """Return an order by id; raise the 404 WooCommerce gives for an unknown one."""
        try:
            return self.orders[order_id]
        except KeyError:
            raise ApiError(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.") from None

    def set_status(self, order_id: int, status: str, *, at: datetime | None = None) -> SimOrder:
        """Change an order's status (with WooCommerce's note and webhook); return the order."""
        with self.lock:
            order = self.order(order_id)
            when = (at or self.now()).replace(microsecond=0)
            if status == "trash":
                order.status_before_trash = order.status
            elif status != order.status:
                self._note(order, status_change(order.status, status, self.language), when)
            self._register(status)
            order.status, order.modified = status, when
            if status in ("processing", "completed") and order.paid is None:
                order.paid = when
            if status == "completed":
                order.completed = when
            self._changed("order.deleted" if status == "trash" else "order.updated", order)
            return order

    def touch(self, order_id: int, *, at: datetime | None = None) -> SimOrder:
        """Bump the order's modified date and nothing else, as opening it in wp-admin does on HPOS stores.

        woocommerce/woocommerce#41226: no status change, no note; a webhook fires.
        """
        with self.lock:
            order = self.order(order_id)
            order.modified = (at or self.now()).replace(microsecond=0)
            self._changed("order.updated", order)
            return order

    def poison(self, order_id: int, *, at: datetime | None = None, **fields: Any) -> SimOrder:
        """Serve the order with these fields as given ("billing.last_name" for a nested one), and bump it.

        Without fields, the order is served as it is again (healed, and bumped).
        """
        with self.lock:
            order = self.order(order_id)
            order.overrides = dict(fields)
            order.modified = (at or self.now()).replace(microsecond=0)
            self._changed("order.updated", order)
            return order

    def trash(self, order_id: int) -> SimOrder:
        """Move an order to the trash (WooCommerce sends order.deleted); return it."""
        return self.set_status(order_id, "trash")

    def restore(self, order_id: int) -> SimOrder:
        """Take an order out of the trash, back to its status before (order.restored); return it."""
        with self.lock:
            order = self.order(order_id)
            order.status, order.modified = order.status_before_trash or "pending", self.now()
            self._changed("order.restored", order)
            return order

    def delete(self, order_id: int) -> None:
        """Delete permanently, as WooCommerce's cleanup does to day-old checkout drafts."""
        with self.lock:
            order = self.orders.pop(order_id)
            self._changed("order.deleted", order)

    def refund(self, order_id: int, amount: str | Decimal | None = None, reason: str = "") -> SimRefund:
        """Refund part of an order, or what is left of it; a full refund makes it `refunded`."""
        with self.lock:
            order = self.order(order_id)
            left = order.total - order.refunded
            value = left if amount is None else Decimal(str(amount))
            if value <= 0 or value > left:
                raise ApiError(400, "woocommerce_rest_invalid_refund_amount", "Invalid refund amount.")
            refund = SimRefund(self._allocate_id(), value, reason, self.now())
            order.refunds.append(refund)
            order.modified = refund.created
            if order.refunded == order.total:
                self._note(order, status_change(order.status, "refunded", self.language), refund.created)
                order.status = "refunded"
            self._changed("order.updated", order)
            return refund

    def set_clock_offset(self, seconds: float) -> None:
        """Set the store's clock `seconds` ahead of the real one (negative: behind)."""
        with self.lock:
            self.clock_offset = timedelta(seconds=seconds)

    # --- reading ----------------------------------------------------------------------
    def render(self, order: SimOrder) -> dict[str, Any]:
        """Return the order as WooCommerce's REST API renders it."""
        return order_json(order, self.base_url, self.local)

    def render_notes(self, order_id: int) -> list[dict[str, Any]]:
        """Return `GET /orders/<id>/notes`: every note, newest first (get_comments' default order)."""
        with self.lock:
            order = self.order(order_id)
            return [note_json(order.id, note, self.base_url, self.local) for note in reversed(order.notes)]

    def render_refunds(self, order_id: int) -> list[dict[str, Any]]:
        """Return an order's refunds as `/orders/<id>/refunds` renders them, newest first."""
        with self.lock:
            order = self.order(order_id)
            return [refund_json(order, refund, self.base_url, self.local) for refund in reversed(order.refunds)]

    def list_orders(self, query: dict[str, list[str]]) -> tuple[list[SimOrder], int, int]:
        """Apply `GET /orders` parameters; return (page of orders, X-WP-Total, X-WP-TotalPages)."""
        per_page = self.capped(int_param(query, "per_page", 10, 1, 100))
        page = int_param(query, "page", 1, 1, None)
        offset = int_param(query, "offset", None, 0, None)
        orderby = one(query, "orderby") or "date"
        if orderby not in ORDERBY:
            raise invalid_param("orderby", f"orderby is not one of {', '.join(ORDERBY)}.")
        order = one(query, "order") or "desc"
        if order not in ("asc", "desc"):
            raise invalid_param("order", "order is not one of asc and desc.")
        gmt = (one(query, "dates_are_gmt") or "false").lower() in ("1", "true")
        bounds = {name: self._date_param(query, name, gmt) for name in DATE_FILTERS}
        if self.ignores_modified_after:
            bounds["modified_after"] = None
        # WooCommerce's REST controller adds ID to `date` and `modified` sorting: ties are stable.
        matched = self.matching(
            bounds, self._status_param(query), ids_param(query, "include"), ids_param(query, "exclude"),
            sort_field=ORDERBY[orderby], descending=order == "desc",
        )  # fmt: skip
        total = len(matched)
        start = offset if offset is not None else (page - 1) * per_page
        if start >= total and page > 1:
            # Observed on WooCommerce 10.5 with HPOS: a page past the end is empty and counts 0.
            return [], 0, 0
        return matched[start : start + per_page], total, math.ceil(total / per_page)

    def matching(
        self,
        bounds: dict[str, datetime | None],
        statuses: set[str],
        include: tuple[int, ...] = (),
        exclude: tuple[int, ...] = (),
        *,
        sort_field: str,
        descending: bool,
        stable: bool = True,
    ) -> list[SimOrder]:
        """Return every order the filters keep (date bounds exclusive, in UTC), sorted.

        `stable=False` sorts as a database does when the query names no tie-breaker: rows
        with equal sort values come in an order that may differ from one query to the next.
        """
        with self.lock:
            key = (self._revision, sort_field, descending, tuple(sorted(statuses)), tuple(bounds.values()), include,
                   exclude)  # fmt: skip
            matched = self._listing_cache.get(key)
            if matched is None:
                matched = self._filter_and_sort(bounds, statuses, include, exclude, sort_field, descending)
                self._listing_cache = {key: matched}
            if stable:
                return matched
            shuffled: list[SimOrder] = []
            for _, ties in itertools.groupby(matched, key=lambda order: getattr(order, sort_field)):
                group = list(ties)
                self.random.shuffle(group)
                shuffled.extend(group)
            return shuffled

    def _filter_and_sort(
        self,
        bounds: dict[str, datetime | None],
        statuses: set[str],
        include: tuple[int, ...],
        exclude: tuple[int, ...],
        sort_field: str,
        descending: bool,
    ) -> list[SimOrder]:
        def keep(order: SimOrder) -> bool:
            if order.status not in statuses:
                return False
            if include and order.id not in include:
                return False
            if order.id in exclude:
                return False
            # Both bounds of each pair are exclusive, as WooCommerce applies them.
            return not (
                (bounds["after"] and not order.created > bounds["after"])
                or (bounds["before"] and not order.created < bounds["before"])
                or (bounds["modified_after"] and not order.modified > bounds["modified_after"])
                or (bounds["modified_before"] and not order.modified < bounds["modified_before"])
            )

        matched = [order for order in self.orders.values() if keep(order)]
        matched.sort(key=lambda order: (getattr(order, sort_field), order.id), reverse=descending)
        return matched

    def _date_param(self, query: dict[str, list[str]], name: str, gmt: bool) -> datetime | None:
        raw = one(query, name)
        if not raw:
            return None
        when = parse_date(raw)
        if when is None:
            raise invalid_param(name, f"{name} is not a valid date.")
        if when.tzinfo is None:
            # Naive dates are the site's local time unless dates_are_gmt says they are UTC.
            return when.replace(tzinfo=UTC) if gmt else self.from_local(when)
        if gmt:
            # WordPress's WP_Date_Query::build_mysql_datetime() turns a date that carries an
            # offset into the site's local wall-clock time, and the REST controller compares
            # that with the _gmt column dates_are_gmt chose: off by the site's UTC offset.
            return self.local(when).replace(tzinfo=UTC)
        return when.astimezone(UTC)

    def ability_date(self, raw: str) -> datetime | None:
        """Read a date as WooCommerce's abilities do: naive in the store's time zone, else by its offset.

        Returns None for what is not an ISO 8601 date.
        """
        when = parse_date(raw)
        if when is None:
            return None
        return self.from_local(when) if when.tzinfo is None else when.astimezone(UTC)

    def _status_param(self, query: dict[str, list[str]]) -> set[str]:
        values: list[str] = []
        for name, items in query.items():
            if name == "status" or name.startswith("status["):
                for item in items:
                    values.extend(part.strip() for part in item.split(",") if part.strip())
        values = values or ["any"]
        known = self.statuses()
        for value in values:
            if value != "any" and value not in known:
                raise invalid_param("status", f"status[0] is not one of any, {', '.join(known)}.")
        chosen = {value for value in values if value != "any"}
        if "any" in values:
            # `any` covers every status but trash, checkout drafts included.
            chosen.update(status for status in known if status != "trash")
        return chosen

    def authenticate_key(self, key: str) -> ApiKey | None:
        """Return the API key with this consumer key, or None."""
        return self.keys.get(key)
