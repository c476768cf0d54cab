"""Tasks of the cart service."""

from __future__ import annotations

from typing import Any

from integrations.tasks.base import ServiceTask, service_task


@service_task("cart.merge_carts")
def merge_carts(self: ServiceTask, anonymous_cart_id: int | str, user_cart_id: int | str) -> Any:
    """Have cart merge a visitor's anonymous cart into the cart of the user who logged in."""
    return self.call_service(anonymous_cart_id=anonymous_cart_id, user_cart_id=user_cart_id)
