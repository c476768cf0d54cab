"""Read a listing that changes while it is read, without losing an order.

Offset paging over a live listing skips rows whenever rows before the current position
leave it (an order trashed, a draft deleted) and repeats rows when rows join it. Ordering
by id and reading each page from a few rows before the end of the previous one turns
offset paging into a seek: the page must reach back to an id we already have, or rows
left the listing behind us and we step back until it does. Repeats are dropped by id.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shop.woocommerce.base import Cursor, OrderPage
from shop.woocommerce.errors import InvalidResponseError, TransientError
from shop.woocommerce.orders import OrderParseError, parse_order

# Rows re-read at the start of every page: the number of rows that may leave the listing
# between two page requests without a step back.
OVERLAP = 5
MAX_REWINDS = 20


@dataclass(frozen=True)
class RawPage:
    """A page as the wire delivered it."""

    items: list[Any]
    store_time: datetime | None
    total: int | None = None
    total_pages: int | None = None
    request: str = ""


def seek_pages(
    fetch: Callable[[int], RawPage],
    *,
    store: str,
    per_page: int,
    resume: Cursor | None = None,
    overlap: int = OVERLAP,
) -> Iterator[OrderPage]:
    """Yield OrderPages from `fetch(offset)`, which must list orders by ascending id."""
    overlap = min(overlap, per_page - 1)
    cursor = resume or Cursor()
    offset, last_id, number = cursor.offset, cursor.last_id, cursor.page
    rewinds = 0
    while True:
        raw = fetch(offset)
        try:
            orders = [parse_order(item) for item in raw.items]
        except OrderParseError as exc:
            raise InvalidResponseError(str(exc), store=store, request=raw.request, sample=repr(raw.items)) from None
        ids = [order.id for order in orders]
        if any(later <= earlier for earlier, later in itertools.pairwise(ids)):
            raise InvalidResponseError(
                "the store did not list orders by ascending id (orderby=id&order=asc), so paging cannot be trusted",
                store=store,
                request=raw.request,
            )
        if offset > 0 and last_id and ids and ids[0] > last_id:
            # Rows left the listing behind us: orders between last_id and ids[0] may now
            # sit before `offset`. Step back until the page reaches an id we already have.
            rewinds += 1
            if rewinds > MAX_REWINDS:
                raise TransientError(
                    "the store's order list kept shrinking while it was read; try again",
                    store=store,
                    request=raw.request,
                )
            offset = max(0, offset - (per_page - overlap))
            continue
        full = len(raw.items) >= per_page
        # The response's own count says whether anything lies beyond it: no extra request.
        at_end = not full or (raw.total is not None and offset + len(raw.items) >= raw.total)
        if not full and raw.total is not None and offset + len(raw.items) < raw.total:
            raise InvalidResponseError(
                f"page at offset {offset} has {len(raw.items)} orders but the store counts {raw.total}: "
                "the response was cut short",
                store=store,
                request=raw.request,
            )
        fresh = [order for order in orders if order.id > last_id]
        if full and not fresh and offset > 0:
            # A whole page of orders already read: the store ignores `offset` (it would then
            # serve its first page forever) or more orders changed than a page holds.
            raise TransientError(
                f"the page at offset {offset} repeats orders already read: the store ignores `offset`, "
                "or the listing changed too much while it was read; try again",
                store=store,
                request=raw.request,
            )
        kept = tuple(order for order in fresh if not order.is_draft)
        number += 1
        if fresh:
            last_id = fresh[-1].id
        next_offset = offset + len(raw.items) - overlap if full else offset + len(raw.items)
        yield OrderPage(
            orders=kept,
            number=number,
            total_pages=raw.total_pages,
            total_orders=raw.total,
            store_time=raw.store_time,
            cursor=Cursor(offset=next_offset, last_id=last_id, page=number),
            last=at_end,
            drafts_skipped=len(fresh) - len(kept),
            rewinds=rewinds,
        )
        if at_end:
            return
        offset = next_offset


def numbered_pages(
    fetch: Callable[[int], RawPage],
    *,
    store: str,
    per_page: int,
    resume: Cursor | None = None,
) -> Iterator[OrderPage]:
    """Yield OrderPages from `fetch(page_number)` for APIs that page by number only."""
    cursor = resume or Cursor()
    number = cursor.page
    seen: set[tuple[int, datetime | None]] = set()
    while True:
        number += 1
        raw = fetch(number)
        try:
            orders = [parse_order(item) for item in raw.items]
        except OrderParseError as exc:
            raise InvalidResponseError(str(exc), store=store, request=raw.request, sample=repr(raw.items)) from None
        fresh = [order for order in orders if (order.id, order.date_modified_gmt) not in seen]
        seen.update((order.id, order.date_modified_gmt) for order in fresh)
        kept = tuple(order for order in fresh if not order.is_draft)
        last = len(raw.items) < per_page or (raw.total_pages is not None and number >= raw.total_pages)
        total_pages = raw.total_pages
        if total_pages is None and raw.total is not None:
            total_pages = math.ceil(raw.total / per_page)
        yield OrderPage(
            orders=kept,
            number=number,
            total_pages=total_pages,
            total_orders=raw.total,
            store_time=raw.store_time,
            cursor=Cursor(offset=number * per_page, last_id=0, page=number),
            last=last,
            drafts_skipped=len(fresh) - len(kept),
        )
        if last:
            return
