"""Tasks of the order service."""

from __future__ import annotations

from typing import Any

from integrations.tasks.base import ServiceTask, service_task


@service_task("order.send_order_confirmation")
def send_order_confirmation(self: ServiceTask, order_id: int | str, email: str) -> Any:
    """Have order send the customer the confirmation of an order."""
    return self.call_service(order_id=order_id, email=email)


@service_task("order.update_order_status")
def update_order_status(self: ServiceTask, order_id: int | str, new_status: str, notify: bool) -> Any:
    """Have order move an order to `new_status`, telling the customer when `notify` is set."""
    return self.call_service(order_id=order_id, new_status=new_status, notify=notify)
