"""Tasks of the product service."""

from __future__ import annotations

from typing import Any

from integrations.tasks.base import ServiceTask, service_task


@service_task("product.process_images")
def process_images(self: ServiceTask, product_id: int | str, image_urls: list[str]) -> Any:
    """Have product fetch and process (resize, thumbnail) a product's images."""
    return self.call_service(product_id=product_id, image_urls=image_urls)


@service_task("product.update_stock")
def update_stock(self: ServiceTask, product_id: int | str, quantity_delta: int, reason: str = "order") -> Any:
    """Have product change a product's stock by `quantity_delta` (negative sells), saying why."""
    return self.call_service(product_id=product_id, quantity_delta=quantity_delta, reason=reason)
