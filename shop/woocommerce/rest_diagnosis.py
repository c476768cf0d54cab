"""Test a REST store's connection: say plainly what is wrong, one check at a time."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx

from adolf.http import HttpError, new_client, send
from shop.woocommerce.base import ConnectionReport
from shop.woocommerce.config import StoreConfig
from shop.woocommerce.errors import AuthenticationError, InvalidResponseError, NotFoundError, StoreError

MINIMUM_VERSION = (5, 8)  # modified_after arrived in WooCommerce 5.8


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


def _probe_index(report: ConnectionReport, base_url: str, timeout: float) -> bool:
    """Check that WordPress's REST index answers and offers WooCommerce's wc/v3."""
    with new_client(base_url=base_url, timeout=timeout) as http:
        try:
            response = send(http, "GET", "/wp-json/")
            index = json.loads(response.content)
        except HttpError as exc:
            if exc.response is None:
                return report.add("reachable", False, f"cannot reach {base_url}: {exc}")
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


def diagnose_rest(client: RestClient, *, need_write: bool = False) -> ConnectionReport:
    """Run the checks in order, stopping at the first one the rest depend on."""
    config = client.config
    report = ConnectionReport(store=config.name, api=config.api)
    if not _probe_index(report, config.base_url, config.timeout):
        return report
    try:
        response = client.request("GET", "/wp-json/wc/v3/system_status", params={"_fields": "environment"})
        status = client.decode(response, dict)
    except AuthenticationError as exc:
        report.add("keys", False, f"the store refused the key: {exc.message} — check the consumer key and secret")
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
    if need_write:
        _check_write(client, report)
    if report.store_time:
        skew = (report.store_time - datetime.now(UTC)).total_seconds()
        report.add("clock", True, f"the store's clock is {skew:+.0f} s from ours")
    return report


def _check_write(client: RestClient, report: ConnectionReport) -> None:
    """Probe write permission without writing: an empty webhook is refused either for lack of
    permission (401) or, with permission, for the missing fields (400)."""
    try:
        client.request("POST", "/wp-json/wc/v3/webhooks", json_body={})
    except AuthenticationError as exc:
        report.can_write = False
        report.add("write", False, f"the key is read-only ({exc.message}); registering webhooks needs a Read/Write key")
        return
    except (InvalidResponseError, NotFoundError) as exc:
        if exc.status == 400:
            report.can_write = True
            report.add("write", True, "the key may write (webhooks can be registered)")
            return
        report.add("write", False, f"checking write permission failed: {exc.message}")
        return
    except StoreError as exc:
        report.add("write", False, f"checking write permission failed: {exc.message}")
        return
    report.can_write = True
    report.add("write", True, "the key may write (webhooks can be registered)")
