"""Call a microservice back to do a task's work: the one HTTP client of the task service.

The contract (docs/microservices.md): ADOLF sends

    POST {base_url}/internal/tasks/{task name}
    Authorization: Bearer {callback token}
    Idempotency-Key: {task id}
    {"task": name, "task_id": id, "attempt": n, "arguments": {parameter: value, …}}

and the service answers 2xx (its JSON body becomes the task's result). Timeouts, 408,
429 and 5xx are worth another attempt; any other answer is final.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx

from adolf.fields import undecryptable
from adolf.headers import http_header_value
from adolf.http import PermanentHttpError, new_client, send
from adolf.redaction import redact
from integrations.models import Service

logger = logging.getLogger(__name__)

CALLBACK_PATH = "internal/tasks/{task}"
# How much of a refusing service's answer goes into the stored failure: enough to debug.
EXCERPT_CHARS = 500


class ServiceUnavailable(Exception):
    """No enabled service of that name is registered: no callback can be made."""


class CallbackRejected(Exception):
    """The service refused the task (a 3xx/4xx answer): trying again cannot help."""


def service_name_of(task_name: str) -> str:
    """Return the service a task belongs to: its name's first dotted part ("auth.cleanup" -> "auth")."""
    return task_name.split(".", 1)[0]


def load_service(task_name: str) -> Service:
    """Return the enabled service that owns `task_name`; raise ServiceUnavailable, also if its token is unreadable."""
    name = service_name_of(task_name)
    service = Service.objects.filter(name=name).first()
    if service is None:
        raise ServiceUnavailable(
            f"No service named {name!r} is registered; add it in the admin under Microservice tasks → Services."
        )
    if not service.enabled:
        raise ServiceUnavailable(f"The service {name!r} is disabled in the admin; {task_name} was not sent to it.")
    if undecryptable(service.token):
        # It reads as no token: the callback would go out without one, and the service's
        # 401 would read as its refusal rather than as ADOLF's lost key.
        raise ServiceUnavailable(
            f"The callback token of the service {name!r} cannot be decrypted with FIELD_ENCRYPTION_KEY (replaced "
            "without the old key): list the old key after the new one, or enter the token again in the admin; "
            f"{task_name} was not sent to it."
        )
    return service


def call_service(
    service: Service,
    task_name: str,
    task_id: str,
    arguments: dict[str, Any],
    *,
    attempt: int = 1,
    transport: httpx.BaseTransport | None = None,
) -> Any:
    """POST the task to its service and return the service's JSON answer (None if it has none).

    Raises TransientHttpError (retry it) or CallbackRejected (don't).
    """
    # Header values built safely: a task id from a foreign producer may hold anything.
    headers = {"Idempotency-Key": http_header_value(task_id)}
    if service.token:
        headers["Authorization"] = f"Bearer {http_header_value(service.token)}"
    payload = {"task": task_name, "task_id": task_id, "attempt": attempt, "arguments": arguments}
    with new_client(
        base_url=service.base_url, timeout=httpx.Timeout(service.timeout), headers=headers, transport=transport
    ) as client:
        try:
            response = send(client, "POST", CALLBACK_PATH.format(task=task_name), json=payload)
        except PermanentHttpError as exc:
            raise CallbackRejected(redact(f"{exc}{_excerpt(exc.response)}")) from None
    logger.info(
        "%s [%s] attempt %d: %s answered HTTP %d", task_name, task_id, attempt, service.name, response.status_code
    )
    return _json_or_none(response)


def _json_or_none(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def _excerpt(response: httpx.Response | None) -> str:
    if response is None or not response.content:
        return ""
    text = response.text.strip()
    if len(text) > EXCERPT_CHARS:
        text = text[:EXCERPT_CHARS] + "…"
    return f": {text}"
