"""A WooCommerce store in a process: REST v3, both MCP flavours, webhooks, faults, a scenario."""

from shop.woocommerce.simulator.server import StoreServer
from shop.woocommerce.simulator.store import Fault, SimulatedStore

__all__ = ["Fault", "SimulatedStore", "StoreServer"]
