"""Tasks of the auth service."""

from __future__ import annotations

from typing import Any

from integrations.tasks.base import ServiceTask, service_task


@service_task("auth.send_verification_email")
def send_verification_email(self: ServiceTask, user_id: int | str, email: str, verification_link: str) -> Any:
    """Have auth send the e-mail that confirms a new user's address."""
    return self.call_service(user_id=user_id, email=email, verification_link=verification_link)


@service_task("auth.cleanup_expired_tokens")
def cleanup_expired_tokens(self: ServiceTask, days: int) -> Any:
    """Have auth delete tokens that expired more than `days` days ago (run daily by beat)."""
    return self.call_service(days=days)
