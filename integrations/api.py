"""The task submission API: POST /api/tasks/ and GET /api/tasks/<id>, per-service bearer tokens.

CSRF protection is off for these views only because they accept no cookies: every request
authenticates with its service's token.
"""

from __future__ import annotations

import json

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from adolf import metrics
from integrations import submission
from integrations.models import Service, hash_api_token
from integrations.submission import SubmissionError

# What became of a submission, for the submissions metric.
QUEUED, DUPLICATE, REFUSED = OUTCOMES = ("queued", "duplicate", "refused")


def error_response(error: SubmissionError) -> JsonResponse:
    """Return a submission error as JSON `{"error": {"code", "message"}}` with its HTTP status.

    A 401 carries `WWW-Authenticate: Bearer` (RFC 6750) so a client knows which credential to send.
    """
    response = JsonResponse({"error": {"code": error.code, "message": error.message}}, status=error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="adolf"'
    return response


def authenticate(request: HttpRequest) -> Service:
    """Return the enabled service whose submission token the request carries."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise SubmissionError(401, "unauthenticated", "Send 'Authorization: Bearer <your service's token>'.")
    service = Service.objects.filter(api_token_hash=hash_api_token(token.strip())).first()
    if service is None:
        raise SubmissionError(401, "invalid_token", "The token is not valid; ask the ADOLF operator for a new one.")
    if not service.enabled:
        raise SubmissionError(403, "service_disabled", f"The service {service.name!r} is disabled in ADOLF.")
    return service


@csrf_exempt
@require_POST
def submit_task(request: HttpRequest) -> JsonResponse:
    """Queue one task of the calling service; answer with its id (202), or 200 if already queued."""
    service = None
    try:
        service = authenticate(request)
        try:
            payload = json.loads(request.body)
        except RequestDataTooBig:
            raise SubmissionError(413, "too_large", "The request body is too large.") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SubmissionError(400, "invalid_json", f"The body is not valid JSON: {exc}") from None
        task_request = submission.parse(service, payload)
        queued, is_new = submission.submit(service, task_request)
    except SubmissionError as error:
        if service is not None:
            metrics.task_submitted(service.name, REFUSED)
        return error_response(error)
    metrics.task_submitted(service.name, QUEUED if is_new else DUPLICATE)
    return JsonResponse(
        {
            "task_id": queued.task_id,
            "task": queued.task_name,
            "state": "PENDING",
            "duplicate": not is_new,
            "status_url": request.build_absolute_uri(reverse("integrations:task-status", args=[queued.task_id])),
        },
        status=202 if is_new else 200,
    )


@require_GET
def task_status(request: HttpRequest, task_id: str) -> JsonResponse:
    """Report the state and result of one of the calling service's tasks."""
    try:
        service = authenticate(request)
    except SubmissionError as error:
        return error_response(error)
    report = submission.status(service, task_id)
    if report is None:
        return error_response(
            SubmissionError(404, "not_found", f"The service {service.name!r} has no task {task_id!r}.")
        )
    return JsonResponse(report)
