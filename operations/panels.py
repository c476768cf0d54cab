"""The operations app's own dashboard panel: what waits in each queue and which workers answer.

Registered first (operations stands first in INSTALLED_APPS), so the dashboard opens with it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from adolf import broker
from operations.registry import registry

# The dashboard is a page people wait for: each broker look is bounded well below a second or two.
QUEUE_TIMEOUT_SECONDS = 2.0
PING_TIMEOUT_SECONDS = 1.0


@registry.dashboard_panel("broker", template="operations/dashboard/broker.html")
def broker_panel(now: datetime) -> dict[str, Any]:
    """Return {"queues": [(queue, length)], "queues_error": str, "workers": [name], "workers_error": str}."""
    panel: dict[str, Any] = {"queues": [], "queues_error": "", "workers": [], "workers_error": ""}
    try:
        panel["queues"] = sorted(broker.queue_lengths(QUEUE_TIMEOUT_SECONDS).items())
    except Exception as exc:  # a down broker is what the panel must show, not a failed page
        panel["queues_error"] = f"{type(exc).__name__}: {exc}"
    try:
        panel["workers"] = broker.workers(PING_TIMEOUT_SECONDS)
    except Exception as exc:  # as above
        panel["workers_error"] = f"{type(exc).__name__}: {exc}"
    return panel
