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
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shop.woocommerce.base import Cursor, OrderPage
from shop.woocommerce.errors import InvalidResponseError, TransientError
from shop.woocommerce.orders import Order, OrderParseError, parse_order

# Rows re-read at the start of every page: the number of rows that may leave the listing
# between two page requests without a step back.
OVERLAP = 5
MAX_REWINDS = 20


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


def _parsed(raw: RawPage, store: str) -> list[Order]:
    try:
        return [parse_order(item) for item in raw.items]
    except OrderParseError as exc:
        raise InvalidResponseError(str(exc), store=store, request=raw.request, sample=repr(raw.items)) from None


def seek_pages(
    fetch: Callable[[Window], RawPage],
    *,
    store: str,
    per_page: int,
    resume: Cursor | None = None,
    overlap: int = OVERLAP,
    numbered: bool = False,
) -> Iterator[OrderPage]:
    """Yield OrderPages from `fetch(window)`, which must list orders by ascending id.

    `numbered`: the API takes a page number and size, not an offset; windows are then
    chosen so that every page starts where a page of its size starts (numbered_window).
    A window that cannot overlap the rows already read is confirmed first by reading the
    one row before it, which must be an order already read.
    """
    overlap = min(overlap, per_page - 1)
    cursor = resume or Cursor()
    offset, last_id, number = cursor.offset, cursor.last_id, cursor.page
    window = Window(offset, page_size_at(offset, per_page) if numbered else per_page)
    # Where the rows read so far end; after a resume unknown, so the first window is confirmed.
    read_to = offset
    rewinds = 0

    def step_back(request: str) -> Window:
        nonlocal rewinds
        # Rows left the listing behind us: orders between last_id and the window's first id
        # may now sit before it. Step back until a page reaches an id we already have.
        rewinds += 1
        if rewinds > MAX_REWINDS:
            raise TransientError(
                "the store's order list kept shrinking while it was read; try again", store=store, request=request
            )
        back = max(0, window.offset - (per_page - overlap))
        return Window(back - back % per_page, per_page) if numbered else Window(back, per_page)

    while True:
        behind = window.offset > 0 and last_id > 0
        if numbered and behind and window.offset >= read_to:
            probe = fetch(Window(window.offset - 1, 1))
            before = _parsed(probe, store)
            if not before or before[0].id > last_id:
                window = step_back(probe.request)
                continue
            behind = False  # confirmed: the window may start past last_id
        raw = fetch(window)
        orders = _parsed(raw, store)
        ids = [order.id for order in orders]
        if any(later <= earlier for earlier, later in itertools.pairwise(ids)):
            raise InvalidResponseError(
                "the store did not list orders by ascending id (orderby=id&order=asc), so paging cannot be trusted",
                store=store,
                request=raw.request,
            )
        if behind and ids and ids[0] > last_id:
            window = step_back(raw.request)
            continue
        full = len(raw.items) >= window.limit
        # The response's own count says whether anything lies beyond it: no extra request.
        end = window.offset + len(raw.items)
        at_end = (
            not full
            or (raw.total is not None and end >= raw.total)
            or (numbered and raw.total_pages is not None and window.page >= raw.total_pages)
        )
        if not full and raw.total is not None and end < raw.total:
            raise InvalidResponseError(
                f"page at offset {window.offset} has {len(raw.items)} orders but the store counts {raw.total}: "
                "the response was cut short",
                store=store,
                request=raw.request,
            )
        fresh = [order for order in orders if order.id > last_id]
        if full and not fresh and window.offset > 0:
            # A whole page of orders already read: the store ignores `offset` or `page` (it
            # would then serve its first page forever), or more orders changed than a page holds.
            ignored = "`page`" if numbered else "`offset`"
            raise TransientError(
                f"the page at offset {window.offset} repeats orders already read: the store ignores {ignored}, "
                "or the listing changed too much while it was read; try again",
                store=store,
                request=raw.request,
            )
        kept = tuple(order for order in fresh if not order.is_draft)
        number += 1
        if fresh:
            last_id = fresh[-1].id
        read_to = end
        if not full:
            following = Window(end, per_page)
        elif numbered:
            following = numbered_window(end, window.offset, per_page, overlap)
        else:
            following = Window(end - overlap, per_page)
        yield OrderPage(
            orders=kept,
            number=number,
            # A count of pages means something only for pages of the size asked for.
            total_pages=raw.total_pages if window.limit == per_page else None,
            total_orders=raw.total,
            store_time=raw.store_time,
            cursor=Cursor(offset=following.offset, last_id=last_id, page=number),
            last=at_end,
            drafts_skipped=len(fresh) - len(kept),
            rewinds=rewinds,
        )
        if at_end:
            return
        window = following
