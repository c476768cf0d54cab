"""Read a listing that changes while it is read, without losing an order.

Offset paging over a live listing skips rows whenever rows before the current position
leave it (an order trashed, a draft deleted) and repeats rows when rows join it. Ordering
by id and reading each page from a few rows before the end of the previous one turns
offset paging into a seek: the page must reach back to an id we already have, or rows
left the listing behind us and we step back until it does. Repeats are dropped by id.

Sorting by anything but id is not safe to page: WooCommerce 10.9's orders-query ability
sorts `date_modified` with no tie-breaker, so orders modified in the same second come in
a different order on every request and pages overlap and skip (a real store showed 36 of
38 such orders at 5 a page; tests/fixtures/mcp-adapter-10.9/pagination-ties.txt).

APIs that take page numbers only (that ability has no `offset`) still get the overlap:
page p of size s starts at row (p - 1) * s, so the next page is read at a size that
divides an offset a few rows before the end of the last one (see `numbered_window`).

Nothing one signal says about the end of a listing is trusted (woocommerce/woocommerce#54035:
plugins cap `per_page`; proxies strip X-WP-Total, Automattic/jetpack#40181). A listing ends
where two signals agree: a short page the store's count confirms; without a count, a page
shorter than pages this store has served, or a re-read that brings nothing new. Pages are
read on from where the store's rows actually ended, so a store that serves 10 rows a page
whatever `per_page` asks is read completely, at no cost to a store that serves what it is
asked. Nor is the filter trusted: orders modified at or before `after` are dropped and
counted (woocommerce/woocommerce#36307: stores that ignore `modified_after`), and an order
that cannot be parsed is handed on as unreadable rather than failing its page.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shop.woocommerce.base import Cursor, OrderPage
from shop.woocommerce.errors import InvalidResponseError, TransientError
from shop.woocommerce.orders import Order, UnreadableOrder, order_id_of, read_order

# Rows re-read at the start of every page: the number of rows that may leave the listing
# between two page requests without a step back.
OVERLAP = 5
MAX_REWINDS = 20
# Turns a listing's raw orders into full ones (thin MCP orders completed over REST, lean
# rows fetched whole); may leave out orders that are gone since.
Complete = Callable[[list[Any]], list[Any]]


@dataclass(frozen=True)
class Window:
    """Rows [offset, offset + limit) of a listing, 0-based."""

    offset: int
    limit: int

    @property
    def page(self) -> int:
        """The 1-based page number of this window, for APIs that page by number (offset % limit == 0)."""
        return self.offset // self.limit + 1


@dataclass(frozen=True)
class RawPage:
    """A page as the wire delivered it."""

    items: list[Any]
    store_time: datetime | None
    total: int | None = None
    total_pages: int | None = None
    request: str = ""


def page_size_at(offset: int, per_page: int) -> int:
    """Return the largest page size up to `per_page` whose pages start exactly at `offset`."""
    if offset == 0:
        return per_page
    return next(size for size in range(per_page, 0, -1) if offset % size == 0)


def numbered_window(end: int, floor: int, per_page: int, overlap: int) -> Window:
    """Return the page-number window to read after rows up to `end`: the one starting up to
    `2 * overlap` rows before `end` (and after `floor`, the last window's start) that
    reaches furthest past it, re-reading the most rows on a tie.

    Sometimes no page size up to `per_page` starts there and reaches past `end` (small
    pages, offsets whose divisors are all small): the window then starts at `end`, and
    seek_pages confirms on one row that nothing left the listing before it.
    """
    windows = [
        Window(offset, page_size_at(offset, per_page)) for offset in range(max(floor + 1, end - 2 * overlap), end)
    ]
    useful = [window for window in windows if window.offset + window.limit > end]
    if not useful:
        return Window(end, page_size_at(end, per_page))
    return max(useful, key=lambda window: (window.offset + window.limit, -window.offset))


def _row_id(item: object) -> int | None:
    return item.id if isinstance(item, Order) else item.order_id if isinstance(item, UnreadableOrder) else None


@dataclass
class _Listing:
    """What a seek has learned so far: where it stands and how the store pages."""

    offset: int
    last_id: int
    number: int
    cap: int  # the most rows the store served a page while more followed (0: not capped)
    read_to: int  # where the rows read so far end (after a resume unknown: the resume offset)
    best: int = 0  # the most rows one page of this listing served
    rewinds: int = 0
    short_before: int = 0  # rows of the last page if it was short of what was asked, with no count
    capped: list[int] = field(default_factory=list)  # sizes of short pages that more rows followed

    def was_capped(self, served: int) -> None:
        self.capped.append(served)
        self.cap = max(self.cap, served)

    @property
    def confirmed_cap(self) -> int | None:
        """The cap two pages agree on: one short page may be a response cut short, not a cap."""
        repeated = [size for size in set(self.capped) if self.capped.count(size) > 1]
        return max(repeated) if repeated else None


def _split(
    rows: list[Order | UnreadableOrder], last_id: int, after: datetime | None
) -> tuple[list[Order], list[UnreadableOrder], int]:
    """Return (orders to hand out, unreadable ones to set aside, how many the filter should have left out).

    Only rows past `last_id` count (the rest were handed out by an earlier page); rows with
    no usable id count from the first row past it.
    """
    kept: list[Order] = []
    unreadable: list[UnreadableOrder] = []
    outside = 0
    past = last_id == 0
    for row in rows:
        row_id = _row_id(row)
        if row_id is not None:
            past = row_id > last_id
        if not past:
            continue
        modified = row.date_modified_gmt
        if after is not None and modified is not None and modified <= after:
            outside += 1
        elif isinstance(row, Order):
            kept.append(row)
        else:
            unreadable.append(row)
    return kept, unreadable, outside


def seek_pages(
    fetch: Callable[[Window], RawPage],
    *,
    store: str,
    per_page: int,
    resume: Cursor | None = None,
    overlap: int = OVERLAP,
    numbered: bool = False,
    after: datetime | None = None,
    complete: Complete | None = None,
) -> Iterator[OrderPage]:
    """Yield OrderPages from `fetch(window)`, which must list orders by ascending id.

    `numbered`: the API takes a page number and size, not an offset; windows are then
    chosen so that every page starts where a page of its size starts (numbered_window).
    A window that cannot overlap the rows already read is confirmed first by reading the
    one row before it, which must be an order already read. `after`: the listing asked for
    orders modified strictly after it; others are left out and counted (`outside_filter`).
    `complete(raw orders)` is applied to the orders handed out.

    Raises InvalidResponseError when the store's answers contradict themselves beyond
    repair (ids out of order, a count of orders it does not serve), TransientError when
    the listing cannot be followed (it keeps shrinking, pages repeat).
    """
    cursor = resume or Cursor()
    state = _Listing(cursor.offset, cursor.last_id, cursor.page, cursor.cap, cursor.offset)

    def size() -> int:
        # Page numbers count pages of the store's own size: past a cap, ask for no more than it serves.
        return min(per_page, state.cap) if numbered and state.cap else per_page

    def first_window(offset: int) -> Window:
        return Window(offset, page_size_at(offset, size()) if numbered else per_page)

    window = first_window(state.offset)

    def step_back(request: str) -> Window:
        # Rows left the listing behind us: orders between last_id and the window's first id
        # may now sit before it. Step back until a page reaches an id we already have.
        state.rewinds += 1
        if state.rewinds > MAX_REWINDS:
            raise TransientError(
                "the store's order list kept shrinking while it was read; try again", store=store, request=request
            )
        back = max(0, window.offset - (size() - min(overlap, size() - 1)))
        return Window(back - back % size(), size()) if numbered else Window(back, per_page)

    while True:
        behind = window.offset > 0 and state.last_id > 0
        if behind and window.offset >= state.read_to:
            probe = fetch(Window(window.offset - 1, 1))
            before = [order_id_of(item) for item in probe.items]
            if not before or before[0] is None or before[0] > state.last_id:
                window = step_back(probe.request)
                continue
            behind = False  # confirmed: the window may start past last_id
        raw = fetch(window)
        rows = [read_order(item) for item in raw.items]
        ids = [row_id for row_id in map(_row_id, rows) if row_id is not None]
        if any(later <= earlier for earlier, later in itertools.pairwise(ids)):
            raise InvalidResponseError(
                "the store did not list orders by ascending id (orderby=id&order=asc), so paging cannot be trusted",
                store=store,
                request=raw.request,
            )
        if behind and (not ids or ids[0] > state.last_id):
            window = step_back(raw.request)
            continue
        served = len(raw.items)
        end = window.offset + served
        short = served < window.limit
        if (
            numbered
            and 0 < served < window.limit
            and window.offset > 0
            and _count_says_more(raw, window, end, numbered)
        ):
            # The store capped the page and numbered it by its own size: these rows are not
            # the ones asked for. Learn the cap and ask again at a size it serves.
            state.cap = served if not state.cap else min(state.cap, served)
            window = first_window(window.offset)
            continue
        fresh = [row for row in rows if (_row_id(row) or 0) > state.last_id]
        more = _count_says_more(raw, window, end, numbered)
        if more and short and served and not fresh:
            # The count says more orders follow, yet a page reaching past the last one read
            # brought none: the count is of something else (a caching plugin's other query).
            # What the store served is the truth, and this re-read confirmed its end. (A page
            # of nothing where orders are counted stays an error, below.)
            more = None
        if more is None:
            # No count to confirm it: a short page ends the listing if this store has served
            # more a page before, or if it re-read only rows already read.
            at_end = served == 0 or (short and (not fresh or served < state.best))
        else:
            at_end = not more
            if more and served == 0:
                raise InvalidResponseError(
                    f"the store counts {raw.total} orders but serves none at offset {window.offset}",
                    store=store,
                    request=raw.request,
                )
        if fresh and state.short_before:
            state.was_capped(state.short_before)  # that short page was a cap, not the end
        state.short_before = served if short and more is None and not at_end else 0
        if short and more:
            state.was_capped(served)
        if not at_end and not fresh and window.offset > 0:
            # A whole page of orders already read: the store ignores `offset` or `page` (it
            # would then serve its first page forever), or more orders changed than a page holds.
            ignored = "`page`" if numbered else "`offset`"
            raise TransientError(
                f"the page at offset {window.offset} repeats orders already read: the store ignores {ignored}, "
                "or the listing changed too much while it was read; try again",
                store=store,
                request=raw.request,
            )
        kept, unreadable, outside = _split(rows, state.last_id, after)
        if complete is not None and kept:
            completed = [read_order(item) for item in complete([order.raw for order in kept])]
            kept, more_unreadable, more_outside = _split(completed, 0, after)
            unreadable += more_unreadable
            outside += more_outside
        listed = tuple(order for order in kept if not order.is_draft)
        state.number += 1
        state.best = max(state.best, served)
        if ids and ids[-1] > state.last_id:
            state.last_id = ids[-1]
        state.read_to = end
        following = _following(window, end, served, short and more is None, numbered, size(), overlap)
        yield OrderPage(
            orders=listed,
            number=state.number,
            # A count of pages means something only for pages of the size asked for.
            total_pages=raw.total_pages if window.limit == per_page else None,
            total_orders=raw.total,
            store_time=raw.store_time,
            cursor=Cursor(offset=following.offset, last_id=state.last_id, page=state.number, cap=state.cap),
            last=at_end,
            drafts_skipped=len(kept) - len(listed),
            rewinds=state.rewinds,
            unreadable=tuple(unreadable),
            outside_filter=outside,
            page_cap=state.confirmed_cap,
            served=served,
        )
        if at_end:
            return
        window = following


def _count_says_more(raw: RawPage, window: Window, end: int, numbered: bool) -> bool | None:
    """Whether the store's own count says rows lie past this page (None: no count, or one that
    disagrees with what was served)."""
    if raw.total is not None and end <= raw.total:
        return end < raw.total
    if numbered and raw.total_pages is not None and raw.total is None:
        return window.page < raw.total_pages
    return None


def _following(
    window: Window, end: int, served: int, confirming: bool, numbered: bool, size: int, overlap: int
) -> Window:
    """Return the window after one that served `served` rows up to `end`.

    It re-reads a few rows of the last page, so rows that leave the listing meanwhile are
    noticed (seek_pages steps back); after a page shorter than asked, fewer, so each page of
    a capped store still brings most of its rows new. `confirming`: the last page was short
    and no count says whether more follow; the window then only has to re-read a row or
    more to show what lies past it.
    """
    if served >= window.limit:
        reread = min(overlap, size - 1)
    elif confirming:
        reread = min(overlap, max(1, served // 4))
    else:
        reread = min(overlap, served - 1, max(1, served // 4))
    if numbered:
        return numbered_window(end, window.offset, size, reread) if reread else Window(end, page_size_at(end, size))
    return Window(end - reread, window.limit)
