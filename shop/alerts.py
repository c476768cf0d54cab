"""Tell operators when a store cannot be polled, once per outage, and when it heals.

Every kind of outage alerts, each at the moment it is worth a person's attention:

- the store refuses our keys (`shop.store.auth_failed`) or is configured so polls cannot
  work — its TLS certificate refused, its address redirecting elsewhere, its API or its MCP
  feature not there, the store gone (`shop.store.misconfigured`): at the first failed poll,
  since nothing but a person's fix ends them (shop.woocommerce.errors names them);
- anything else — unreachable, timing out, failing with 5xx, rate-limiting, answering what
  cannot be read (`shop.store.unreachable`): only once the store has failed for
  SHOP_OUTAGE_ALERT_MINUTES, since such trouble usually passes and polls retry it.

The text says what is wrong and how to fix it, from the store error's own diagnosis. One
alert per outage whatever its kind (the conditional update on `Store.outage_alerted`, even
for racing polls), and `shop.store.recovered` when a poll completes again (shop.polling).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notifications.publish import publish
from shop.clients import SecretsUnreadableError
from shop.models import Store
from shop.woocommerce.errors import AuthenticationError, CertificateError, RateLimitedError, StoreError, TransientError
from shop.woocommerce.jsonrpc import McpDisabledError

STORE_AUTH_FAILED = "shop.store.auth_failed"
STORE_MISCONFIGURED = "shop.store.misconfigured"
STORE_UNREACHABLE = "shop.store.unreachable"
STORE_RECOVERED = "shop.store.recovered"
# Every event type this module publishes, for lists of them (README, routing rules).
OUTAGE_EVENT_TYPES = (STORE_AUTH_FAILED, STORE_MISCONFIGURED, STORE_UNREACHABLE, STORE_RECOVERED)


def misconfiguration(exc: BaseException) -> str:
    """Return what makes polls impossible until a person fixes it, in a few words; "" for trouble that may pass.

    A refused TLS certificate, a redirect (not followed: the address is what is wrong), no
    such endpoint (404: no WooCommerce REST API there, or its MCP feature off) or a store
    gone (410). Keys refused are AuthenticationError's own kind.
    """
    if isinstance(exc, CertificateError):
        return _("its TLS certificate is refused")
    if isinstance(exc, SecretsUnreadableError):
        return _("its API keys cannot be decrypted")
    if not isinstance(exc, StoreError) or isinstance(exc, AuthenticationError | TransientError) or exc.status is None:
        return ""
    if 300 <= exc.status < 400:
        return _("its address redirects elsewhere")
    if exc.status == 404:
        return _("its API is not at this address")
    if exc.status == 410:
        return _("it is gone")
    return ""


def store_failing(store: Store, exc: BaseException) -> None:
    """Publish one error alert per outage, at once for refused keys or a misconfiguration, else after a while.

    `store` carries `failing_since` as the failed poll left it; `exc` is what stopped the poll.
    """
    if isinstance(exc, AuthenticationError):
        kind, title, message = STORE_AUTH_FAILED, *_refused(store, exc)
    elif misconfiguration(exc):
        kind, title, message = STORE_MISCONFIGURED, *_misconfigured(store, exc)
    else:
        after = timedelta(minutes=settings.SHOP_OUTAGE_ALERT_MINUTES)
        if store.failing_since is None or timezone.now() - store.failing_since < after:
            return  # transient trouble is retried; an alert waits until it has lasted
        kind, title, message = STORE_UNREACHABLE, *_unreachable(store, exc)
    # The conditional update is the once-per-outage guarantee, even for racing polls.
    if not Store.objects.filter(pk=store.pk, outage_alerted=False).update(outage_alerted=True):
        return
    store.outage_alerted = True
    error = exc.message if isinstance(exc, StoreError) else store.last_error
    publish(
        kind, title, message, source_module="shop", source_id=store.slug, level="error",
        data={
            "store": store.slug, "store_name": store.name, "error": error, "error_type": type(exc).__name__,
            "status": getattr(exc, "status", None),
        },
        dedupe_key=f"shop:store:{store.pk}:{kind.rsplit('.', 1)[-1]}:{timezone.now().isoformat()}",
    )  # fmt: skip


def _refused(store: Store, exc: AuthenticationError) -> tuple[str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Store %(name)s refuses our API keys") % {"name": store.name}
        message = _("Polling has stopped until the keys are fixed in the admin. The store said: %(error)s") % {
            "error": exc.message
        }
    return title, message


def _misconfigured(store: Store, exc: BaseException) -> tuple[str, str]:
    # The error's own text names the fix where one is known (the certificate problem, the
    # redirect's target, the MCP feature's switch); the rest is said here.
    with translation.override(settings.LANGUAGE_CODE):
        what = misconfiguration(exc)  # in the site's language, as the rest of the alert
        title = _("Store %(name)s cannot be polled: %(what)s") % {"name": store.name, "what": what}
        if isinstance(exc, SecretsUnreadableError):  # ADOLF's own trouble: the store said nothing
            message = _("Polling cannot work until this is fixed: %(error)s") % {"error": exc.message}
        else:
            message = _("Polling cannot work until this is fixed; ADOLF keeps trying. The store said: %(error)s") % {
                "error": exc.message if isinstance(exc, StoreError) else store.last_error
            }
        status = getattr(exc, "status", None)
        if status == 404 and not isinstance(exc, McpDisabledError):  # that one names the MCP switch itself
            message += " " + _(
                "Check the store's address in the admin, that WooCommerce is active and that its REST API answers "
                "at /wp-json/wc/v3."
            )
        elif status == 410:
            message += " " + _("Check the store's address in the admin, or disable the store if it is closed.")
    return title, message


def _unreachable(store: Store, exc: BaseException) -> tuple[str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        minutes = int((timezone.now() - store.failing_since).total_seconds() // 60)  # type: ignore[operator]
        title = ngettext(
            "Store %(name)s has failed every poll for %(minutes)d minute",
            "Store %(name)s has failed every poll for %(minutes)d minutes",
            minutes,
        ) % {"name": store.name, "minutes": minutes}
        error = store.last_error.splitlines()[0] if store.last_error else type(exc).__name__
        message = _(
            "ADOLF keeps retrying; changes made meanwhile are read when it answers. The last error: %(error)s"
        ) % {"error": error}
        message += " " + _unreachable_fix(exc)
    return title, message


def _unreachable_fix(exc: BaseException) -> str:
    if isinstance(exc, RateLimitedError):
        return _(
            "The store (or its host's firewall) is limiting ADOLF's requests: raise the store's poll interval, "
            "or allow ADOLF's address in the firewall."
        )
    if isinstance(exc, TransientError) and exc.status is not None:
        return _("The store's server fails: look at its error log (PHP errors, memory, a plugin).")
    if isinstance(exc, TransientError):
        return _("No answer: check that the store is up and that ADOLF can reach it (DNS, firewall, address).")
    if isinstance(exc, StoreError):
        return _(
            "The store answers something ADOLF cannot use: look for a maintenance mode, a security plugin or a "
            "caching layer in front of its API."
        )
    return _("The poll itself failed: see the last poll runs in the admin and the worker's log.")


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
