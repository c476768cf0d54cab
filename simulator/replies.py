"""What the simulated store answers to one request: status, JSON or raw body, headers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Reply:
    """One HTTP answer; `encoded()` gives its body bytes (JSON bodies are sent as UTF-8)."""

    status: int = 200
    body: Any = None  # JSON-able, or bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)
    is_list_page: bool = False

    def encoded(self) -> bytes:
        """Return the body as bytes: raw bytes as given, anything else as UTF-8 JSON (setting its Content-Type)."""
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        self.headers.setdefault("Content-Type", "application/json; charset=UTF-8")
        return json.dumps(self.body, ensure_ascii=False).encode()
