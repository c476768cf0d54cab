"""Read a store's webhooks back from WooCommerce, alert once on a disabled one, and re-activate them.

WooCommerce disables a webhook after a run of failed deliveries (WC_Webhook::failed_delivery:
more than `woocommerce_max_webhook_delivery_failures`, 5 by default, in a row) and then sends
nothing through it, silently. So `GET /webhooks` is read periodically (shop.check_webhooks)
and the webhooks that are ours (registered by ADOLF, or delivering to this store's URL)
are kept on the store (`Store.webhook_check`) for its admin page; one found disabled raises
one error notification, and the admin's "Re-activate webhooks" sets it active again.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from adolf.redaction import redact
from notifications.publish import publish
from shop.clients import rest_client_for
from shop.models import Store
from shop.webhook_registration import webhook_path
from shop.woocommerce.errors import StoreError

logger = logging.getLogger(__name__)

WEBHOOK_DISABLED = "shop.store.webhook_disabled"
ACTIVE, DISABLED, MISSING = "active", "disabled", "missing"


def ours(store: Store, hooks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pick the webhooks of this store's receiver from WooCommerce's list, and name the registered ones gone.

    Each: {"id", "topic", "status" (active, paused, disabled, or "missing" when a registered
    one is no longer on the store), "delivery_url", "registered", "points_here"}.
    """
    path = webhook_path(store)
    registered = {int(webhook_id): topic for topic, webhook_id in (store.webhook_ids or {}).items()}
    found = []
    for hook in hooks:
        url = str(hook.get("delivery_url") or "")
        points_here = urlsplit(url).path == path
        if hook["id"] in registered or points_here:
            found.append({
                "id": hook["id"], "topic": str(hook.get("topic") or ""), "status": str(hook.get("status") or ""),
                "delivery_url": url, "registered": hook["id"] in registered, "points_here": points_here,
            })  # fmt: skip
    seen = {hook["id"] for hook in found}
    found += [
        {"id": webhook_id, "topic": topic, "status": MISSING, "delivery_url": "", "registered": True,
         "points_here": False}
        for webhook_id, topic in registered.items() if webhook_id not in seen
    ]  # fmt: skip
    return sorted(found, key=lambda hook: (hook["topic"], hook["id"]))


def check(store: Store) -> dict[str, Any]:
    """Read the store's webhooks (GET /webhooks) and record them; alert once for each newly disabled one.

    Returns the recorded state (Store.webhook_check). A store that cannot be asked keeps
    what was last read, with the error; raises nothing for that.
    """
    client = rest_client_for(store)
    try:
        if client is None:
            raise StoreError("webhooks are read through the REST API: give this store its REST keys", store=store.name)
        with client:
            hooks = client.list_webhooks()
    except StoreError as exc:
        error = redact(str(exc))
        with transaction.atomic():
            state = {**Store.objects.select_for_update().get(pk=store.pk).webhook_check}
            state.update(checked_at=timezone.now().isoformat(), error=error)
            Store.objects.filter(pk=store.pk).update(webhook_check=state)
        logger.warning("webhooks store=%s could not be read: %s", store.slug, error)
        return state
    found = ours(store, hooks)
    with transaction.atomic():
        # Locked, so racing checks (beat, an operator's click) alert once between them.
        locked = Store.objects.select_for_update().get(pk=store.pk)
        alerted = dict(locked.webhook_check.get("alerted") or {})
        now = timezone.now().isoformat()
        for hook in found:
            key = str(hook["id"])
            if hook["status"] == DISABLED and key not in alerted:
                alerted[key] = now
                alert(locked, hook, now)
            elif hook["status"] != DISABLED:
                alerted.pop(key, None)
        state = {"checked_at": now, "error": "", "webhooks": found, "alerted": alerted}
        Store.objects.filter(pk=store.pk).update(webhook_check=state)
    return state


def alert(store: Store, hook: dict[str, Any], found_at: str) -> None:
    """Publish the one error notification saying WooCommerce disabled a webhook of the store."""
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Store %(name)s: WooCommerce disabled the %(topic)s webhook") % {
            "name": store.name,
            "topic": hook["topic"],
        }
        message = _(
            "WooCommerce stops a webhook after repeated failed deliveries and sends nothing through it "
            "any more. Polling still finds every change, only later. Fix what made the deliveries fail, "
            "then re-activate it in the admin: Stores, select the store, “Re-activate webhooks”."
        )
    publish(
        WEBHOOK_DISABLED, title, message, source_module="shop", source_id=store.slug, level="error",
        data={"store": store.slug, "store_name": store.name, "webhook_id": hook["id"], "topic": hook["topic"]},
        dedupe_key=f"shop:store:{store.pk}:webhook:{hook['id']}:disabled:{found_at}",
    )  # fmt: skip


def reactivate(store: Store) -> list[int]:
    """Set this store's disabled or paused webhooks that deliver here back to active; return their ids.

    Reads the webhooks first and again after, so the store page shows the outcome. Raises
    StoreError when the store refuses (re-activating needs a read/write key).
    """
    state = check(store)
    ids = [hook["id"] for hook in state.get("webhooks", []) if hook["status"] not in (ACTIVE, MISSING)]
    ids = [hook_id for hook_id in ids if _delivers_here(state, hook_id)]
    client = rest_client_for(store)
    if ids and client is not None:
        with client:
            for hook_id in ids:
                client.update_webhook(hook_id, status=ACTIVE)
        logger.info("webhooks store=%s re-activated: %s", store.slug, ",".join(map(str, ids)))
    check(store)
    return ids


def _delivers_here(state: dict[str, Any], hook_id: int) -> bool:
    return any(hook["id"] == hook_id and hook["points_here"] for hook in state["webhooks"])


def check_all() -> dict[str, int]:
    """Check every enabled store that takes webhooks (has a webhook secret); return counts."""
    stores = Store.objects.filter(enabled=True).exclude(webhook_secret="")
    counts = {"stores": 0, "disabled": 0, "errors": 0}
    for store in stores:
        state = check(store)
        counts["stores"] += 1
        counts["errors"] += bool(state.get("error"))
        counts["disabled"] += sum(hook["status"] == DISABLED for hook in state.get("webhooks", []))
    return counts
