"""The errors WordPress's REST API answers with: `{"code", "message", "data": {"status"}}`."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A WordPress REST error: `{"code", "message", "data": {"status"}}`."""

    def __init__(self, status: int, code: str, message: str, **data: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.data = status, code, message, data

    def body(self) -> dict[str, Any]:
        """Return the error as WordPress sends it: {"code", "message", "data": {"status", ...}}."""
        return {"code": self.code, "message": self.message, "data": {"status": self.status, **self.data}}


def invalid_param(name: str, reason: str) -> ApiError:
    """Return WordPress's 400 rest_invalid_param for parameter `name`, with `reason` under data.params."""
    return ApiError(400, "rest_invalid_param", f"Invalid parameter(s): {name}", params={name: reason})
