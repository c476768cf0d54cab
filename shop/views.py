"""The webhook receiver: one unguessable URL per store, authenticated by WooCommerce's signature.

WooCommerce never retries a delivery and disables a webhook after a run of non-2xx
answers, so every correctly signed delivery is answered 2xx: one naming an order is
recorded in the inbox (shop.inbox) before the answer and processed from there; one naming
nothing is acknowledged and logged. Only what cannot be from the store is refused: an
unknown URL (404), a bad signature (401), a body over the limit (413).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from shop import inbox
from shop.models import Store
from shop.webhooks import WebhookRejected, read_signed, verify


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


# CSRF protection is off only because no cookie authenticates here: every delivery is
# verified by the HMAC signature of its body with the store's webhook secret.
@csrf_exempt
@require_POST
def receive_webhook(request: HttpRequest, token: str) -> JsonResponse:
    """Verify one WooCommerce delivery, record it, and answer at once; processing follows."""
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
    try:
        body, signature = read_signed(request, store.webhook_secret, limit)
        accepted = verify(store, request.headers, body, signature)
    except WebhookRejected as exc:
        return _error(exc.status, exc.code, exc.message)
    if accepted.ignored:
        return JsonResponse({"ignored": accepted.ignored})
    if accepted.order_id is None:
        return JsonResponse({"ok": True})  # the creation ping: exactly 200 or WooCommerce refuses the webhook
    if not store.enabled:
        return JsonResponse({"ignored": "the store is disabled in ADOLF"})
    delivery = inbox.receive(store, accepted)
    # One drain per burst; broker down: the row waits for the sweeper, and the store still gets its 2xx.
    inbox.nudge()
    return JsonResponse({"accepted": accepted.order_id, "delivery": delivery.pk}, status=202)
