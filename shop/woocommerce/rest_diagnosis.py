"""Test a REST store's connection: say plainly what is wrong, one check at a time.

The checks run in the order a request meets its obstacles — the site answers, WordPress's
REST API is on, WooCommerce is there, the keys are accepted, orders can be read, the key
may write — and each failure names what actually happened: the URL a redirect points to,
a host that strips the Authorization header, a clock that breaks OAuth 1.0a signatures.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx
from django.utils.translation import gettext as _

from adolf.http import CertificateHttpError, HttpError, new_client, redirect_target, send
from shop.woocommerce.base import ConnectionReport
from shop.woocommerce.config import StoreConfig
from shop.woocommerce.diagnosis import OAUTH_TIMESTAMP_WINDOW, clock_offset, oauth_clock_problem
from shop.woocommerce.errors import ANONYMOUS_CODE, AuthenticationError, InvalidResponseError, NotFoundError, StoreError

MINIMUM_VERSION = (5, 8)  # modified_after arrived in WooCommerce 5.8
INDEX = "/wp-json/"
SYSTEM_STATUS = "/wp-json/wc/v3/system_status"


class RestClient(Protocol):
    """What the diagnosis needs of a REST client (shop.woocommerce.rest.RestClient is one)."""

    config: StoreConfig
    last_store_time: datetime | None

    def request(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, json_body: Any = None
    ) -> httpx.Response:
        """Send one request to the store; raise StoreError (typed) when it fails."""

    def decode(self, response: httpx.Response, expect: type) -> Any:
        """Return the response's JSON if it is an `expect`; raise InvalidResponseError otherwise."""


def parse_version(text: str) -> tuple[int, ...]:
    """Return the leading numeric parts of a version string ("10.5.0-rc.1" -> (10, 5, 0))."""
    parts = []
    for piece in text.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit()) if piece[:1].isdigit() else ""
        if not digits:
            break
        parts.append(int(digits))
        if not piece.isdigit():
            break
    return tuple(parts)


def moved_base(target: str, path: str) -> str:
    """Return the site address a redirect of `path` points to ("" if the target is not `path` moved)."""
    return target[: -len(path)].rstrip("/") if target.endswith(path) else ""


def _probe_index(report: ConnectionReport, config: StoreConfig) -> bool:
    """Check that WordPress's REST index answers and offers WooCommerce's wc/v3."""
    base_url = config.base_url
    with new_client(base_url=base_url, timeout=config.timeout, extra_ca=config.ca_certificate) as http:
        try:
            response = send(http, "GET", INDEX)
            index = json.loads(response.content)
        except CertificateHttpError as exc:
            return report.add("reachable", False, str(exc.problem))
        except HttpError as exc:
            if exc.response is None:
                return report.add(
                    "reachable", False, _("cannot reach %(url)s: %(error)s") % {"url": base_url, "error": exc}
                )
            if 300 <= exc.status < 400:  # type: ignore[operator]
                return report.add("reachable", False, _redirected(base_url, exc.response))
            index = None
        except ValueError:
            index = None
        report.add("reachable", True, _("%(url)s answers") % {"url": base_url})
        if not isinstance(index, dict):
            try:
                home = http.get("/")
                is_wordpress = "api.w.org" in home.headers.get("Link", "")
            except httpx.HTTPError:
                is_wordpress = False
            if is_wordpress:
                return report.add(
                    "rest api",
                    False,
                    _(
                        "WordPress answers but its REST API at /wp-json/ does not: enable pretty permalinks "
                        "(Settings → Permalinks) or lift the plugin or firewall rule that blocks it"
                    ),
                )
            return report.add(
                "rest api",
                False,
                _("%(url)s is not a WordPress/WooCommerce site: nothing answers at /wp-json/") % {"url": base_url},
            )
    namespaces = index.get("namespaces") if isinstance(index.get("namespaces"), list) else []
    if "wc/v3" not in namespaces:
        return report.add(
            "woocommerce",
            False,
            _("WordPress's REST API works but WooCommerce's (wc/v3) is missing: is WooCommerce installed and active?"),
        )
    return report.add("woocommerce", True, _("WooCommerce REST API v3 is present"))


def _redirected(base_url: str, response: httpx.Response) -> str:
    target = redirect_target(response)
    values = {"url": f"{base_url}{INDEX}", "status": response.status_code, "target": target}
    if not target:
        return _("%(url)s redirects (HTTP %(status)s) but names no target") % values
    moved = moved_base(target, INDEX)
    if moved:
        fix = _("make %(moved)s the store URL") % {"moved": moved}
    else:
        fix = _("point the store URL at where the shop really is")
    return _("%(url)s redirects (HTTP %(status)s) to %(target)s, and redirects are not followed: %(fix)s") % {
        **values,
        "fix": fix,
    }


def diagnose_rest(client: RestClient, *, need_write: bool = False) -> ConnectionReport:
    """Run the checks in order, stopping at the first one the rest depend on."""
    config = client.config
    report = ConnectionReport(store=config.name, api=config.api)
    if not _probe_index(report, config):
        return report
    try:
        response = client.request("GET", SYSTEM_STATUS, params={"_fields": "environment"})
        status = client.decode(response, dict)
    except AuthenticationError as exc:
        report.add(*_refused(client, exc))
        return report
    except StoreError as exc:
        report.add("keys", False, _("the store failed while checking the key: %(error)s") % {"error": exc.message})
        return report
    report.add("keys", True, _("the key is accepted"))
    environment = status.get("environment") if isinstance(status.get("environment"), dict) else {}
    report.version = str(environment.get("version") or "")
    report.store_time = client.last_store_time
    version = parse_version(report.version)
    if version and version < MINIMUM_VERSION:
        report.add(
            "version",
            False,
            _("WooCommerce %(version)s is older than 5.8 and cannot list orders by modification time: update it")
            % {"version": report.version},
        )
    elif version:
        report.add("version", True, f"WooCommerce {report.version}")
    try:
        client.request("GET", "/wp-json/wc/v3/orders", params={"per_page": 1})
        report.add("read orders", True, _("orders can be read"))
    except AuthenticationError as exc:
        said = _("the key cannot read orders: %(error)s — give it Read permission") % {"error": exc.message}
        report.add("read orders", False, said)
    except StoreError as exc:
        report.add("read orders", False, _("listing orders failed: %(error)s") % {"error": exc.message})
    _check_write(client, report, need_write=need_write)
    return report


def _refused(client: RestClient, exc: AuthenticationError) -> tuple[str, bool, str]:
    """Say why the store refused the keys (a finding's name, ok, detail): wrong keys, a stripped
    header, or a clock too far off for OAuth 1.0a (then it is the clock's finding)."""
    config = client.config
    if config.rest_auth == "oauth1" and client.last_store_time is not None:
        skew = client.last_store_time - datetime.now(UTC)
        if abs(skew) > OAUTH_TIMESTAMP_WINDOW:
            said = _("the store refused our signature (%(error)s): %(problem)s") % {
                "error": exc.message,
                "problem": oauth_clock_problem(clock_offset(skew)),
            }
            return "clock", False, said
    if exc.code == ANONYMOUS_CODE and exc.status == 401 and config.rest_auth == "basic" and config.is_https:
        return "keys", False, _stripped_header(client, exc)
    if exc.code == ANONYMOUS_CODE:
        return "keys", False, _("the store refused the key: %(error)s") % {"error": exc.message}
    return (
        "keys",
        False,
        _("the store refused the key: %(error)s — check the consumer key and secret") % {"error": exc.message},
    )


def _stripped_header(client: RestClient, exc: AuthenticationError) -> str:
    """Confirm a stripped Authorization header by sending the keys once in the query string (https only)."""
    config = client.config
    seen = _(
        "the store saw no credentials (HTTP %(status)s %(code)s, its answer to anonymous visitors) though the "
        "keys were in the Authorization header: its host strips that header"
    ) % {"status": exc.status, "code": exc.code}
    try:
        client.request(
            "GET",
            SYSTEM_STATUS,
            params={"_fields": "environment", "consumer_key": config.key, "consumer_secret": config.secret},
        )
    except StoreError as again:
        return _("%(seen)s; with the keys in the query string it refused them too: %(error)s") % {
            "seen": seen,
            "error": again.message,
        }
    return _(
        "%(seen)s. With the keys in the query string the store accepts them — tick “keys in the query string” "
        "for this store (or have the host pass the header on)"
    ) % {"seen": seen}


def _check_write(client: RestClient, report: ConnectionReport, *, need_write: bool) -> None:
    """Probe write permission without writing: an empty webhook is refused either for lack of
    permission (401) or, with permission, for the missing fields (400).

    Polls only read, so what this finds blocks only when writing was asked for (webhooks).
    """

    def cannot(detail: str) -> None:
        if need_write:
            report.add("write", False, detail)
        else:
            report.warn("write", detail)

    try:
        client.request("POST", "/wp-json/wc/v3/webhooks", json_body={})
    except AuthenticationError as exc:
        report.can_write = False
        cannot(
            _("the key is read-only (%(error)s): polls work; registering webhooks needs a Read/Write key")
            % {"error": exc.message}
        )
        return
    except (InvalidResponseError, NotFoundError) as exc:
        if exc.status == 400:
            report.can_write = True
            report.add("write", True, _("the key may write (webhooks can be registered)"))
            return
        cannot(_("checking write permission failed: %(error)s") % {"error": exc.message})
        return
    except StoreError as exc:
        cannot(_("checking write permission failed: %(error)s") % {"error": exc.message})
        return
    report.can_write = True
    report.add("write", True, _("the key may write (webhooks can be registered)"))
