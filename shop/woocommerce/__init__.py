"""WooCommerce clients (REST v3 and MCP) behind one interface."""

from __future__ import annotations

import httpx

from shop.woocommerce.base import ConnectionReport, Cursor, OrderPage, StoreClient, UnsupportedOperationError
from shop.woocommerce.config import StoreConfig, StoreConfigError
from shop.woocommerce.errors import (
    AuthenticationError,
    CertificateError,
    InvalidResponseError,
    NotFoundError,
    RateLimitedError,
    StoreError,
    TransientError,
)
from shop.woocommerce.orders import Order, Refund, RefundRecord


def build_client(config: StoreConfig, *, transport: httpx.BaseTransport | None = None) -> StoreClient:
    """Return the client this store's API kind needs."""
    if config.api == "rest":
        from shop.woocommerce.rest import RestClient

        return RestClient(config, transport=transport)
    from shop.woocommerce.mcp import McpClient

    return McpClient(config, transport=transport)


__all__ = [
    "AuthenticationError",
    "CertificateError",
    "ConnectionReport",
    "Cursor",
    "InvalidResponseError",
    "NotFoundError",
    "Order",
    "OrderPage",
    "RateLimitedError",
    "Refund",
    "RefundRecord",
    "StoreClient",
    "StoreConfig",
    "StoreConfigError",
    "StoreError",
    "TransientError",
    "UnsupportedOperationError",
    "build_client",
]
