"""Tell operators when a store stops answering with our keys, once per outage, and when it heals."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.publish import publish
from shop.models import Store
from shop.woocommerce.errors import AuthenticationError, StoreError

STORE_AUTH_FAILED = "shop.store.auth_failed"
STORE_RECOVERED = "shop.store.recovered"


def store_failing(store: Store, exc: StoreError) -> None:
    """Publish one error alert per outage when the store refuses our credentials."""
    if not isinstance(exc, AuthenticationError):
        return  # transient trouble is retried; health checks watch for long streaks
    # The conditional update is the once-per-outage guarantee, even for racing polls.
    if not Store.objects.filter(pk=store.pk, outage_alerted=False).update(outage_alerted=True):
        return
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Store %(name)s refuses our API keys") % {"name": store.name}
        message = _("Polling has stopped until the keys are fixed in the admin. The store said: %(error)s") % {
            "error": exc.message
        }
    publish(
        STORE_AUTH_FAILED, title, message, source_module="shop", source_id=store.slug, level="error",
        data={"store": store.slug, "store_name": store.name, "error": exc.message, "status": exc.status},
        dedupe_key=f"shop:store:{store.pk}:auth-failed:{timezone.now().isoformat()}",
    )  # fmt: skip


def store_recovered(store: Store) -> None:
    """Publish a recovery notice if an outage alert went out."""
    if not Store.objects.filter(pk=store.pk, outage_alerted=True).update(outage_alerted=False):
        return
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Store %(name)s answers again") % {"name": store.name}
        message = _("Polling works again; changes made during the outage are being read now.")
    publish(
        STORE_RECOVERED, title, message, source_module="shop", source_id=store.slug, level="info",
        data={"store": store.slug, "store_name": store.name},
        dedupe_key=f"shop:store:{store.pk}:recovered:{timezone.now().isoformat()}",
    )  # fmt: skip
