"""What a store's API cannot show ADOLF, said where the operator looks (the store page, Test connection).

WooCommerce 10.9's MCP adapter serves thin orders (tests/fixtures/mcp-adapter-10.9/06):
no refunds, no payment date, no number, no customer name, phone or note, and no way to
read one order, its notes or its refunds, or register a webhook. REST keys of the same
store fill all of it in (shop.woocommerce.mcp); REST and the legacy MCP endpoint (whose
keys are REST keys) serve full REST orders. The legacy endpoint's listings carry no count
of orders, so the end of each is confirmed by one more read.
"""

from __future__ import annotations

from django.utils.translation import gettext as _


def can_read_evidence(api: str, *, has_rest_keys: bool) -> bool:
    """Whether the store's API can show when an order's status changed: its notes and refunds, over REST."""
    return api in ("rest", "mcp-legacy") or has_rest_keys


def protections(api: str, *, has_rest_keys: bool) -> list[tuple[bool, str]]:
    """Return each protection against a misbehaving store, and whether this store's API allows it."""
    full = api != "mcp-adapter" or has_rest_keys
    counted = api == "rest"
    return [
        (True, _("capped pages: pages are read on from where the store's rows ended, whatever per_page it honours")),
        (
            counted,
            _("the end of a listing is confirmed by the store's count of orders (X-WP-Total)")
            if counted
            else _("this API counts no orders: the end of a listing is confirmed by one more read"),
        ),
        (True, _("an ignored modified_after: orders modified before the window are not news, whatever is sent")),
        (True, _("one bad order: it is set aside with its reason and the rest of the page recorded")),
        (
            full,
            _("plugin statuses: a paid order is new whatever its status is called (its payment date)")
            if full
            else _("plugin statuses: without payment dates, only statuses mapped as paid make an order new"),
        ),
        (
            can_read_evidence(api, has_rest_keys=has_rest_keys),
            _("touched, not changed: an order never seen before is news only if its notes or refunds date the change")
            if can_read_evidence(api, has_rest_keys=has_rest_keys)
            else _(
                "touched, not changed: this API shows no order notes or refunds, so an old order merely opened in "
                "wp-admin is announced as if it changed now"
            ),
        ),
    ]


def blind_spots(api: str, *, has_rest_keys: bool) -> list[str]:
    """Return, in the active language, each kind of event or detail the store's API cannot see."""
    if api != "mcp-adapter" or has_rest_keys:
        return []
    return [
        _(
            "partial refunds: the MCP adapter's orders carry no refunds, so no partial refund is ever "
            "announced (a full refund still shows as the status refunded)"
        ),
        _(
            "payment dates: an order ADOLF sees for the first time already paid counts as a new order only "
            "if it was created inside the polling window"
        ),
        _("customer names, phones and notes, and order numbers set by plugins (notifications show the order id)"),
        _("webhooks: they are registered, and their orders read, over REST only"),
        _(
            "touched or changed: without order notes or refunds, an old order merely opened in wp-admin (which bumps "
            "its modified date) is announced as if it changed now"
        ),
    ]
