"""What each app adds to the operations views: health probes, status sections, dashboard panels, gauges.

The operations app reads no domain model itself. An app contributes from its own
`operations.py`, which its AppConfig.ready() imports:

    @registry.health_probe("stores")                 # a component of /health/
    @registry.status_section("stores", describe=…)   # a key of `shop_status --json` and its text
    @registry.dashboard_panel("stores", template=…)  # a panel of /dashboard/
    registry.gauge(StoreGauges())                     # scrape-time gauges of /metrics

Entries keep the order in which they were registered, which is INSTALLED_APPS order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from prometheus_client.registry import Collector

OK, UNHEALTHY = "healthy", "unhealthy"


@dataclass
class Component:
    """One component of the health report: healthy or not, why not, and JSON-ready detail.

    `reason` and `detail` are for staff and token holders (they may name hosts, stores,
    errors); `summary` is the generic reason anyone may read ("Broker unreachable").
    """

    ok: bool
    reason: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    summary: str = ""

    @property
    def public_reason(self) -> str:
        """The reason told to anonymous callers: the summary, or just "unhealthy"."""
        return "" if self.ok else (self.summary or UNHEALTHY)

    def as_dict(self, *, detailed: bool = True) -> dict[str, Any]:
        """Return the component as JSON data: status and reason, and with `detailed` everything known."""
        if not detailed:
            public: dict[str, Any] = {"status": OK if self.ok else UNHEALTHY}
            if self.public_reason:
                public["reason"] = self.public_reason
            return public
        report: dict[str, Any] = {"status": OK if self.ok else UNHEALTHY, **self.detail}
        if self.reason:
            report["reason"] = self.reason
        return report


# A text line of `shop_status` and how it is shown: "" (plain), "success" or "error".
Line = tuple[str, str]


@dataclass(frozen=True)
class HealthProbe:
    """A component of /health/; `check` runs only when the database answered."""

    name: str
    check: Callable[[], Component]


@dataclass(frozen=True)
class StatusSection:
    """A key of the troubleshooting snapshot: `collect()` gives its JSON value, `describe` its text lines."""

    name: str
    collect: Callable[[], Any]
    describe: Callable[[Any], Iterable[Line]]


@dataclass(frozen=True)
class DashboardPanel:
    """A panel of the status dashboard: `template` rendered with the context `context(now)` returns."""

    name: str
    template: str
    context: Callable[[datetime], dict[str, Any]]


class Registry:
    """The contributions of every app, keyed by name (registering a name again replaces it)."""

    def __init__(self) -> None:
        self.health_probes: dict[str, HealthProbe] = {}
        self.status_sections: dict[str, StatusSection] = {}
        self.dashboard_panels: dict[str, DashboardPanel] = {}
        self.gauges: dict[str, Collector] = {}

    def health_probe(self, name: str) -> Callable[[Callable[[], Component]], Callable[[], Component]]:
        """Register the decorated function as the /health/ component `name`."""

        def register(check: Callable[[], Component]) -> Callable[[], Component]:
            self.health_probes[name] = HealthProbe(name, check)
            return check

        return register

    def status_section(
        self, name: str, *, describe: Callable[[Any], Iterable[Line]]
    ) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
        """Register the decorated function as the snapshot's key `name`, shown as text by `describe`."""

        def register(collect: Callable[[], Any]) -> Callable[[], Any]:
            self.status_sections[name] = StatusSection(name, collect, describe)
            return collect

        return register

    def dashboard_panel(
        self, name: str, *, template: str
    ) -> Callable[[Callable[[datetime], dict[str, Any]]], Callable[[datetime], dict[str, Any]]]:
        """Register the decorated context function as the dashboard panel `name`, drawn by `template`."""

        def register(context: Callable[[datetime], dict[str, Any]]) -> Callable[[datetime], dict[str, Any]]:
            self.dashboard_panels[name] = DashboardPanel(name, template, context)
            return context

        return register

    def gauge(self, collector: Collector) -> None:
        """Add a collector whose gauges are read at every /metrics scrape (one per class)."""
        self.gauges[f"{type(collector).__module__}.{type(collector).__qualname__}"] = collector


registry = Registry()
