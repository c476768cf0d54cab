"""Diagnose a store whatever its API: its certificate, then the API's own checks, then its clock.

`diagnose(client)` is what "Test connection" and `manage.py check_store` run (through
shop.diagnosis, which adds what the store's own records show). The API's checks are the
client's `test_connection` (rest_diagnosis for REST, the MCP client's own); what does not
depend on the protocol — TLS trust and the store's clock — is checked here, once for all.
"""

from __future__ import annotations

import ssl
import urllib.request
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from adolf import tls
from adolf.certificates import STORE, check_server, explain, peer_certificate
from shop.woocommerce.base import ConnectionReport, Finding, Severity, StoreClient
from shop.woocommerce.config import StoreConfig

# Below this the two clocks agree for every purpose; NTP keeps real servers within a second.
CLOCK_TOLERANCE = timedelta(minutes=5)
# WooCommerce refuses an OAuth 1.0a request whose timestamp is further than this from its
# clock (WC_REST_Authentication::check_oauth_timestamp_and_nonce).
OAUTH_TIMESTAMP_WINDOW = timedelta(minutes=15)
# A certificate this close to its end is worth a warning: polls stop the day it expires.
CERTIFICATE_RENEWAL_NOTICE = timedelta(days=14)
TLS_CHECK_TIMEOUT = 10.0


def diagnose(client: StoreClient, *, need_write: bool = False) -> ConnectionReport:
    """Return the ordered findings for one store: TLS, then the API's checks, then the clock.

    A certificate the store is refused on stops the diagnosis there: every later check
    would fail on the same handshake and say less.
    """
    config = client.config
    certificate = certificate_findings(config)
    if any(finding.severity is Severity.BLOCKING for finding in certificate):
        return ConnectionReport(store=config.name, api=config.api, findings=certificate)
    report = client.test_connection(need_write=need_write)
    report.findings[0:0] = certificate
    # What the API cannot show (shop.woocommerce.coverage) is a warning: polls work, but blind there.
    report.findings += [Finding("cannot see", Severity.WARNING, note) for note in report.notes]
    report.notes = []
    if report.store_time is None:
        report.store_time = client.last_store_time
    clock_finding(report, config)
    return report


def certificate_findings(config: StoreConfig, *, now: datetime | None = None) -> list[Finding]:
    """Say what this store's connections trust and whether its certificate passes; [] for plain http."""
    if not config.is_https:
        return []
    parts = urlsplit(config.base_url)
    host, port = parts.hostname or "", parts.port or 443
    trust = tls.trust(config.ca_certificate)
    findings = [Finding("trust", Severity.OK, "; ".join(trust.sources))]
    findings += [Finding("trust", Severity.WARNING, problem) for problem in trust.problems]
    if urllib.request.getproxies().get("https") and not urllib.request.proxy_bypass(host):
        # httpx goes through HTTPS_PROXY; a direct handshake could meet another certificate
        # (or none). The API's checks then say what the proxied requests met.
        return findings
    timeout = min(config.timeout, TLS_CHECK_TIMEOUT)
    try:
        peer = check_server(host, port, tls.tls_context(config.ca_certificate), timeout=timeout)
    except ssl.SSLCertVerificationError as exc:
        problem = explain(exc, host, port, peer=STORE)
        presented = peer_certificate(host, port, timeout=timeout)
        seen = f" (it presents {presented.describe()})" if presented else ""
        findings.append(Finding("certificate", Severity.BLOCKING, f"{problem.summary}{seen} — {problem.fix}"))
        return findings
    except OSError:
        return findings  # unreachable, or no TLS at all: the API's checks say which
    if peer is None:
        return findings
    left = peer.not_after - (now or datetime.now(UTC))
    if left < CERTIFICATE_RENEWAL_NOTICE:
        findings.append(
            Finding(
                "certificate",
                Severity.WARNING,
                f"the certificate of {host} expires on {peer.not_after:%Y-%m-%d} (in {left.days} days): "
                "polls stop that day unless it is renewed",
            )
        )
    else:
        issued = "self-signed" if peer.self_signed else f"issued by {peer.issuer}"
        findings.append(
            Finding(
                "certificate",
                Severity.OK,
                f"the certificate of {host} is trusted "
                f"({peer.subject}, {issued}, valid until {peer.not_after:%Y-%m-%d})",
            )
        )
    return findings


def clock_finding(report: ConnectionReport, config: StoreConfig, *, now: datetime | None = None) -> None:
    """Add how far the store's clock (its HTTP Date) is from ours, and what that breaks."""
    if report.store_time is None or any(finding.name == "clock" for finding in report.findings):
        return
    skew = report.store_time - (now or datetime.now(UTC))
    if abs(skew) <= CLOCK_TOLERANCE:
        # The Date header counts whole seconds: a second either way is the header, not the clock.
        report.add("clock", True, f"the store's clock is {round(skew.total_seconds()):+d} s from ours")
        return
    where = f"{describe_duration(abs(skew))} {'ahead of' if skew > timedelta(0) else 'behind'} ours"
    if config.api == "rest" and config.rest_auth == "oauth1" and abs(skew) > OAUTH_TIMESTAMP_WINDOW:
        report.add("clock", False, oauth_clock_problem(where))
        return
    report.warn(
        "clock",
        f"the store's clock is {where}: polls follow the store's clock and lose nothing, but the first "
        f"poll's look-back window is measured by ours, so it reads about {describe_duration(abs(skew))} "
        f"{'more' if skew > timedelta(0) else 'less'} history than asked, and the poll lag shown is off as "
        "much — set both clocks by NTP",
    )


def oauth_clock_problem(where: str) -> str:
    return (
        f"the store's clock is {where}, and WooCommerce refuses OAuth 1.0a requests (plain http) whose "
        "timestamp is more than 15 minutes off its clock — set both clocks by NTP"
    )


def describe_duration(span: timedelta) -> str:
    """Return a duration as people say it: "47 min", "2 h 5 min", "3 days 4 h"."""
    minutes = round(span.total_seconds() / 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''} {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"
