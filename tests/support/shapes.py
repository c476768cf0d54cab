"""Compare two JSON documents by shape and type, field by field."""

from __future__ import annotations

from typing import Any


def kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"  # JSON has one number type; the docs show 3 where stores send 3.5
    return {str: "string", list: "array", dict: "object"}[type(value)]


def shape_differences(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """Return where `actual` differs from `expected` in keys or types (empty: same shape).

    A null in `expected` (an unset date) accepts a string, the same field when set.
    Arrays of the same length are compared position by position (a list of different
    things, like an MCP server's tools); otherwise each element against the first
    documented one.
    """
    if kind(expected) == "null":
        return [] if kind(actual) in ("null", "string") else [f"{path}: null or string expected, got {kind(actual)}"]
    if kind(expected) != kind(actual) and not (kind(actual) == "null" and kind(expected) == "string"):
        return [f"{path}: {kind(expected)} expected, got {kind(actual)}"]
    if isinstance(expected, dict):
        problems = [f"{path}.{key}: missing" for key in expected if key not in actual]
        problems += [f"{path}.{key}: not in the documentation" for key in actual if key not in expected]
        for key in expected.keys() & actual.keys():
            problems += shape_differences(expected[key], actual[key], f"{path}.{key}")
        return problems
    if isinstance(expected, list) and len(expected) == len(actual) > 1:
        pairs = zip(expected, actual, strict=True)
        return [
            problem for n, (one, other) in enumerate(pairs) for problem in shape_differences(one, other, f"{path}[{n}]")
        ]
    if isinstance(expected, list) and expected and actual:
        return [problem for item in actual for problem in shape_differences(expected[0], item, f"{path}[]")]
    return []
