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

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
    report.findings += [Finding("cannot see", Severity.WARNING, str(note)) for note in report.notes]
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
    findings = [Finding("trust", Severity.OK, "; ".join(str(source) for source in trust.sources))]
    findings += [Finding("trust", Severity.WARNING, str(problem)) for problem in trust.problems]
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
        if presented:
            detail = _("%(summary)s (it presents %(certificate)s) — %(fix)s") % {
                "summary": problem.summary, "certificate": presented.describe(), "fix": problem.fix,
            }  # fmt: skip
        else:
            detail = str(problem)
        findings.append(Finding("certificate", Severity.BLOCKING, detail))
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
                ngettext(
                    "the certificate of %(host)s expires on %(date)s (in %(days)d day): polls stop that day unless "
                    "it is renewed",
                    "the certificate of %(host)s expires on %(date)s (in %(days)d days): polls stop that day unless "
                    "it is renewed",
                    left.days,
                )
                % {"host": host, "date": f"{peer.not_after:%Y-%m-%d}", "days": left.days},
            )
        )
    else:
        values = {"host": host, "subject": peer.subject, "issuer": peer.issuer, "date": f"{peer.not_after:%Y-%m-%d}"}
        if peer.self_signed:
            detail = _("the certificate of %(host)s is trusted (%(subject)s, self-signed, valid until %(date)s)")
        else:
            detail = _(
                "the certificate of %(host)s is trusted (%(subject)s, issued by %(issuer)s, valid until %(date)s)"
            )
        findings.append(Finding("certificate", Severity.OK, detail % values))
    return findings


def clock_finding(report: ConnectionReport, config: StoreConfig, *, now: datetime | None = None) -> None:
    """Add how far the store's clock (its HTTP Date) is from ours, and what that breaks."""
    if report.store_time is None or any(finding.name == "clock" for finding in report.findings):
        return
    skew = report.store_time - (now or datetime.now(UTC))
    if abs(skew) <= CLOCK_TOLERANCE:
        # The Date header counts whole seconds: a second either way is the header, not the clock.
        seconds = f"{round(skew.total_seconds()):+d}"
        report.add("clock", True, _("the store's clock is %(seconds)s s from ours") % {"seconds": seconds})
        return
    where = clock_offset(skew)
    if config.api == "rest" and config.rest_auth == "oauth1" and abs(skew) > OAUTH_TIMESTAMP_WINDOW:
        report.add("clock", False, oauth_clock_problem(where))
        return
    values = {"where": where, "span": describe_duration(abs(skew))}
    if skew > timedelta(0):
        detail = _(
            "the store's clock is %(where)s: polls follow the store's clock and lose nothing, but the first poll's "
            "look-back window is measured by ours, so it reads about %(span)s more history than asked, and the "
            "poll lag shown is off as much — set both clocks by NTP"
        )
    else:
        detail = _(
            "the store's clock is %(where)s: polls follow the store's clock and lose nothing, but the first poll's "
            "look-back window is measured by ours, so it reads about %(span)s less history than asked, and the "
            "poll lag shown is off as much — set both clocks by NTP"
        )
    report.warn("clock", detail % values)


def clock_offset(skew: timedelta) -> str:
    """Return how far the store's clock is from ours in words: "47 min ahead of ours", "2 h 5 min behind ours".

    `skew` is the store's time minus ours; worded in the active language.
    """
    if skew > timedelta(0):
        return _("%(span)s ahead of ours") % {"span": describe_duration(skew)}
    return _("%(span)s behind ours") % {"span": describe_duration(abs(skew))}


def oauth_clock_problem(where: str) -> str:
    """Say why an OAuth 1.0a store refuses us when its clock is `where` (clock_offset's words) from ours.

    The 15 minutes are WooCommerce's (WC_REST_Authentication::check_oauth_timestamp_and_nonce).
    """
    return _(
        "the store's clock is %(where)s, and WooCommerce refuses OAuth 1.0a requests (plain http) whose timestamp "
        "is more than 15 minutes off its clock — set both clocks by NTP"
    ) % {"where": where}


def describe_duration(span: timedelta) -> str:
    """Return a duration as people say it, in the active language: "47 min", "2 h 5 min", "3 days 4 h"."""
    minutes = round(span.total_seconds() / 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return ngettext("%(days)d day %(hours)d h", "%(days)d days %(hours)d h", days) % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}
