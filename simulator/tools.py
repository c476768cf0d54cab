"""What an MCP tool call returns, whatever server runs the tool."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


class UnknownTool(Exception):
    """The server has no tool of that name."""


def php_json_text(value: Any) -> str:
    """Encode JSON as PHP's wp_json_encode() does: compact, non-ASCII and slashes escaped."""
    return json.dumps(value, separators=(",", ":")).replace("/", "\\/")


def tool_result(structured: Any, *, error: bool = False, encode: Callable[[Any], str] = json.dumps) -> dict[str, Any]:
    """Return a `tools/call` result: the JSON as text in `content[0]` and, unless it is an
    error, as `structuredContent` too; a string is an error's (or a plain) text as it is."""
    text = structured if isinstance(structured, str) else encode(structured)
    result: dict[str, Any] = {"content": [{"type": "text", "text": text}]}
    if error:
        result["isError"] = True
    else:
        result["structuredContent"] = structured
    return result
