"""What a store's API cannot show ADOLF, said where the operator looks (the store page, Test connection).

WooCommerce 10.9's MCP adapter serves thin orders (tests/fixtures/mcp-adapter-10.9/06):
no refunds, no payment date, no number, no customer name, phone or note, and no way to
read one order or register a webhook. REST keys of the same store fill all of it in
(shop.woocommerce.mcp); REST and the legacy MCP endpoint serve full REST orders.
"""

from __future__ import annotations

from django.utils.translation import gettext as _


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
    ]
