"""Times ADOLF sends to a store, in the one form each API reads exactly.

- REST v3 (and the legacy MCP tools, which run the REST controller): naive UTC with
  `dates_are_gmt=true`, compared with the `_gmt` columns as written. A time carrying an
  offset must not be combined with `dates_are_gmt`: WordPress's
  WP_Date_Query::build_mysql_datetime() converts such a time to the site's local time and
  the controller then compares it with the UTC column, off by the site's UTC offset
  (WordPress src/wp-includes/class-wp-date-query.php; WooCommerce
  class-wc-rest-crud-controller.php prepare_objects_query()).
- WooCommerce 10.9's abilities (the MCP adapter's `woocommerce/orders-query`): no
  `dates_are_gmt`; a time without an offset is read in the store's time zone, so the time
  always carries its offset, `Z` (seen on a real 10.9.4 store set to America/Los_Angeles).
"""

from __future__ import annotations

from datetime import UTC, datetime


def _utc(when: datetime) -> datetime:
    if when.tzinfo is None:
        raise ValueError("pass an aware datetime; naive ones are ambiguous")
    return when.astimezone(UTC).replace(microsecond=0)


def wc_datetime(when: datetime) -> str:
    """Format an aware datetime as naive UTC `YYYY-MM-DDTHH:MM:SS`, for `dates_are_gmt=true`."""
    return _utc(when).replace(tzinfo=None).isoformat()


def utc_with_offset(when: datetime) -> str:
    """Format an aware datetime as UTC that says so, `YYYY-MM-DDTHH:MM:SSZ`."""
    return wc_datetime(when) + "Z"
