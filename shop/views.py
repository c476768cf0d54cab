"""The webhook receiver: one unguessable URL per store, authenticated by WooCommerce's signature."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from kombu.exceptions import OperationalError

from shop.models import Store
from shop.webhooks import WebhookRejected, verify

logger = logging.getLogger(__name__)


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


# CSRF protection is off only because no cookie authenticates here: every delivery is
# verified by the HMAC signature of its body with the store's webhook secret.
@csrf_exempt
@require_POST
def receive_webhook(request: HttpRequest, token: str) -> JsonResponse:
    """Verify one WooCommerce delivery and queue a re-fetch of its order; answer at once."""
    from shop.tasks import process_webhook

    store = (
        Store.objects.filter(webhook_token=token)
        .only("pk", "slug", "enabled", "webhook_secret", "webhook_token")
        .first()
    )
    if store is None:
        return _error(404, "unknown_webhook", "No store has this webhook URL.")
    limit = settings.SHOP_WEBHOOK_MAX_BYTES
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        return _error(400, "malformed_body", "The Content-Length header is not a number.")
    if declared > limit:
        return _error(413, "too_large", f"The body exceeds {limit} bytes.")
    body = request.read(limit + 1)
    if len(body) > limit:
        return _error(413, "too_large", f"The body exceeds {limit} bytes.")
    try:
        accepted = verify(store, request.headers, body)
    except WebhookRejected as exc:
        return _error(exc.status, exc.code, exc.message)
    if accepted.order_id is None:
        return JsonResponse({"ok": True})  # the creation ping: exactly 200 or WooCommerce refuses the webhook
    if not store.enabled:
        return JsonResponse({"ignored": "the store is disabled in ADOLF"})
    try:
        process_webhook.delay(store_id=store.pk, order_id=accepted.order_id, topic=accepted.topic)
    except OperationalError:
        # WooCommerce never retries; the next poll finds the change anyway.
        logger.warning("webhook store=%s order=%s: broker unreachable; left to polling", store.slug, accepted.order_id)
        return _error(503, "queue_unavailable", "The task queue is unreachable; polling will pick the change up.")
    return JsonResponse({"queued": accepted.order_id})
