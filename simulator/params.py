"""Read REST query parameters (`?name=value`, lists as `name[]=` or commas) as WordPress validates them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from simulator.errors import invalid_param


def parse_date(raw: str) -> datetime | None:
    """Return the datetime an ISO 8601 string names (naive if it has no offset), or None."""
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None


def one(query: dict[str, list[str]], name: str) -> str | None:
    """Return the last value of query parameter `name` (as PHP keeps the last), or None."""
    values = query.get(name)
    return values[-1] if values else None


def int_param(query: dict[str, list[str]], name: str, default: int | None, low: int, high: int | None) -> Any:
    """Return an integer query parameter within [low, high]; raise rest_invalid_param as WordPress words it."""
    raw = one(query, name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid_param(name, f"{name} is not of type integer.") from None
    if value < low or (high is not None and value > high):
        bound = f"between {low} (inclusive) and {high} (inclusive)" if high else f"greater than or equal to {low}"
        raise invalid_param(name, f"{name} must be {bound}")
    return value


def ids_param(query: dict[str, list[str]], name: str) -> tuple[int, ...]:
    """Return the ids a list parameter names (`include=1,2` or `include[]=1`), sorted; raise rest_invalid_param."""
    ids: list[int] = []
    for key, items in query.items():
        if key == name or key.startswith(f"{name}["):
            for item in items:
                try:
                    ids.extend(int(part) for part in item.split(",") if part.strip())
                except ValueError:
                    raise invalid_param(name, f"{name}[0] is not of type integer.") from None
    return tuple(sorted(ids))
