"""A WooCommerce store in a process: REST v3, both MCP flavours, webhooks, faults, a scenario."""

from simulator.server import StoreServer
from simulator.store import Fault, SimulatedStore

__all__ = ["Fault", "SimulatedStore", "StoreServer"]
