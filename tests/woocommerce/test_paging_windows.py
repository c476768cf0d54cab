"""Page-number windows of a seek: each starts where a page of its size starts, overlaps the last one, and moves on.

The MCP adapter's orders-query takes `page` and `per_page` only (page p of size s starts at
row (p - 1) * s); a seek needs each page to begin a few rows before the end of the last.
"""

from __future__ import annotations

import pytest

from shop.woocommerce.paging import OVERLAP, Window, numbered_window, page_size_at


@pytest.mark.parametrize("per_page", [1, 2, 5, 7, 10, 37, 100])
def test_windows_start_on_page_boundaries_and_move_on_re_reading_a_row_where_a_size_allows(per_page):
    overlap = min(OVERLAP, per_page - 1)
    window = Window(0, per_page)
    for _ in range(300):
        end = window.offset + window.limit
        following = numbered_window(end, window.offset, per_page, overlap)
        assert (following.page - 1) * following.limit == following.offset
        assert 1 <= following.limit <= per_page
        assert window.offset < following.offset <= end
        assert following.offset + following.limit > end
        fits = any(
            (end - back) % size == 0 for back in range(1, 2 * overlap + 1) for size in range(back + 1, per_page + 1)
        )
        # Starting at `end` (no row re-read; seek_pages then confirms on the row before) only
        # when no page size up to per_page starts a few rows back and reaches past `end`.
        assert (following.offset < end) == fits
        window = following


def test_at_a_hundred_a_page_windows_stay_large_and_always_overlap():
    window, sizes = Window(0, 100), []
    for _ in range(300):
        end = window.offset + window.limit
        window = numbered_window(end, window.offset, 100, OVERLAP)
        assert window.offset < end
        sizes.append(window.limit)
    assert sum(sizes) / len(sizes) > 85


def test_the_largest_page_size_that_starts_at_an_offset():
    assert [page_size_at(offset, 100) for offset in (0, 95, 97, 184, 300)] == [100, 95, 97, 92, 100]
