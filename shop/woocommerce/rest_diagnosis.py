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

from adolf.http import CertificateHttpError, HttpError, new_client, redirect_target, send
from shop.woocommerce.base import ConnectionReport
from shop.woocommerce.config import StoreConfig
from shop.woocommerce.diagnosis import OAUTH_TIMESTAMP_WINDOW, describe_duration, oauth_clock_problem
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
    ) -> httpx.Response: ...

    def decode(self, response: httpx.Response, expect: type) -> Any: ...


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
                return report.add("reachable", False, f"cannot reach {base_url}: {exc}")
            if 300 <= exc.status < 400:  # type: ignore[operator]
                return report.add("reachable", False, _redirected(base_url, exc.response))
            index = None
        except ValueError:
            index = None
        report.add("reachable", True, f"{base_url} answers")
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
                    "WordPress answers but its REST API at /wp-json/ does not: enable pretty permalinks "
                    "(Settings → Permalinks) or lift the plugin or firewall rule that blocks it",
                )
            return report.add(
                "rest api", False, f"{base_url} is not a WordPress/WooCommerce site: nothing answers at /wp-json/"
            )
    namespaces = index.get("namespaces") if isinstance(index.get("namespaces"), list) else []
    if "wc/v3" not in namespaces:
        return report.add(
            "woocommerce",
            False,
            "WordPress's REST API works but WooCommerce's (wc/v3) is missing: is WooCommerce installed and active?",
        )
    return report.add("woocommerce", True, "WooCommerce REST API v3 is present")


def _redirected(base_url: str, response: httpx.Response) -> str:
    target = redirect_target(response)
    if not target:
        return f"{base_url}{INDEX} redirects (HTTP {response.status_code}) but names no target"
    moved = moved_base(target, INDEX)
    fix = f"make {moved} the store URL" if moved else "point the store URL at where the shop really is"
    status = response.status_code
    return f"{base_url}{INDEX} redirects (HTTP {status}) to {target}, and redirects are not followed: {fix}"


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
        report.add("keys", False, f"the store failed while checking the key: {exc.message}")
        return report
    report.add("keys", True, "the key is accepted")
    environment = status.get("environment") if isinstance(status.get("environment"), dict) else {}
    report.version = str(environment.get("version") or "")
    report.store_time = client.last_store_time
    version = parse_version(report.version)
    if version and version < MINIMUM_VERSION:
        report.add(
            "version",
            False,
            f"WooCommerce {report.version} is older than 5.8 and cannot list orders by modification time: update it",
        )
    elif version:
        report.add("version", True, f"WooCommerce {report.version}")
    try:
        client.request("GET", "/wp-json/wc/v3/orders", params={"per_page": 1})
        report.add("read orders", True, "orders can be read")
    except AuthenticationError as exc:
        report.add("read orders", False, f"the key cannot read orders: {exc.message} — give it Read permission")
    except StoreError as exc:
        report.add("read orders", False, f"listing orders failed: {exc.message}")
    _check_write(client, report, need_write=need_write)
    return report


def _refused(client: RestClient, exc: AuthenticationError) -> tuple[str, bool, str]:
    """Say why the store refused the keys (a finding's name, ok, detail): wrong keys, a stripped
    header, or a clock too far off for OAuth 1.0a (then it is the clock's finding)."""
    config = client.config
    if config.rest_auth == "oauth1" and client.last_store_time is not None:
        skew = client.last_store_time - datetime.now(UTC)
        if abs(skew) > OAUTH_TIMESTAMP_WINDOW:
            where = f"{describe_duration(abs(skew))} {'ahead of' if skew.total_seconds() > 0 else 'behind'} ours"
            return "clock", False, f"the store refused our signature ({exc.message}): {oauth_clock_problem(where)}"
    if exc.code == ANONYMOUS_CODE and exc.status == 401 and config.rest_auth == "basic" and config.is_https:
        return "keys", False, _stripped_header(client, exc)
    if exc.code == ANONYMOUS_CODE:
        return "keys", False, f"the store refused the key: {exc.message}"
    return "keys", False, f"the store refused the key: {exc.message} — check the consumer key and secret"


def _stripped_header(client: RestClient, exc: AuthenticationError) -> str:
    """Confirm a stripped Authorization header by sending the keys once in the query string (https only)."""
    config = client.config
    seen = (
        f"the store saw no credentials (HTTP {exc.status} {exc.code}, its answer to anonymous visitors) though the "
        "keys were in the Authorization header: its host strips that header"
    )
    try:
        client.request(
            "GET",
            SYSTEM_STATUS,
            params={"_fields": "environment", "consumer_key": config.key, "consumer_secret": config.secret},
        )
    except StoreError as again:
        return f"{seen}; with the keys in the query string it refused them too: {again.message}"
    return (
        f"{seen}. With the keys in the query string the store accepts them — tick “keys in the query string” "
        "for this store (or have the host pass the header on)"
    )


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
        cannot(f"the key is read-only ({exc.message}): polls work; registering webhooks needs a Read/Write key")
        return
    except (InvalidResponseError, NotFoundError) as exc:
        if exc.status == 400:
            report.can_write = True
            report.add("write", True, "the key may write (webhooks can be registered)")
            return
        cannot(f"checking write permission failed: {exc.message}")
        return
    except StoreError as exc:
        cannot(f"checking write permission failed: {exc.message}")
        return
    report.can_write = True
    report.add("write", True, "the key may write (webhooks can be registered)")
