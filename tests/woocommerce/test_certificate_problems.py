"""A store whose certificate is refused: the poll's error and the diagnosis name the problem and its fix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shop.woocommerce import CertificateError, build_client
from shop.woocommerce.base import Severity
from shop.woocommerce.diagnosis import certificate_findings, diagnose
from tests.support.certificates import Issued, expired, issue, make_ca, tls_store
from tests.support.simulated_store import BEFORE_ALL

pytestmark = pytest.mark.usefixtures("in_english")

CA = make_ca("Staging CA")


def cases() -> dict[str, tuple[Issued, str]]:
    """The served certificate and the CA the store carries in ADOLF, per problem."""
    chained = issue(CA)
    chained.chain = (CA.certificate,)  # a server that sends its private root along
    return {
        "self-signed": (issue(None), ""),
        "unknown-ca": (issue(CA), ""),
        "private-ca": (chained, ""),
        "expired": (expired(CA), CA.cert_pem),
        "wrong-host": (issue(CA, ("shop.example.com",)), CA.cert_pem),
    }


MESSAGES = {
    "self-signed": "the certificate of 127.0.0.1 is self-signed, so nothing vouches for it — give that certificate "
    "to the store's CA certificate (in the admin, or add_store --ca-file), or give the store a certificate "
    "from a public CA",
    "unknown-ca": "the certificate of 127.0.0.1 is signed by a CA that this server does not know (unable to get "
    "local issuer certificate) — for a private CA, give its certificate to the store's CA certificate (in the "
    "admin, or add_store --ca-file) or to SSL_CERT_FILE; for a public CA, the store's web server must also send "
    "its intermediate certificates",
    "private-ca": "the certificate of 127.0.0.1 is signed by a private CA that this server does not trust — give "
    "that CA's certificate to the store's CA certificate (in the admin, or add_store --ca-file), or add it to "
    "SSL_CERT_FILE or the OS trust store",
    "expired": "the certificate of 127.0.0.1 has expired — renew it on the store's web server (for Let's "
    "Encrypt: certbot renew); if the store carries a CA certificate in ADOLF, check that one too",
    "wrong-host": "the certificate that 127.0.0.1 presents is made out to another name (IP address mismatch, "
    "certificate is not valid for '127.0.0.1'.) — use an address the certificate names as the store URL, or "
    "have the certificate issued for 127.0.0.1",
}


@pytest.mark.parametrize("kind", list(MESSAGES))
def test_a_poll_of_the_store_fails_naming_the_certificate_problem(kind, tmp_path):
    leaf, ca = cases()[kind]
    with tls_store(leaf, tmp_path) as server:
        with build_client(server.config(ca_certificate=ca)) as client:
            with pytest.raises(CertificateError) as caught:
                list(client.iter_modified_orders(BEFORE_ALL))
    assert caught.value.problem.kind == kind
    assert caught.value.retryable is False
    assert caught.value.message == f"TLS: {MESSAGES[kind]}"
    assert caught.value.request == f"GET {server.url}/wp-json/wc/v3/orders"


@pytest.mark.parametrize("kind", list(MESSAGES))
def test_the_diagnosis_stops_at_the_certificate_and_says_what_it_presents(kind, tmp_path):
    leaf, ca = cases()[kind]
    with tls_store(leaf, tmp_path) as server, build_client(server.config(ca_certificate=ca)) as client:
        report = diagnose(client)
    assert [(f.name, f.severity) for f in report.findings] == [
        ("trust", Severity.OK),
        ("certificate", Severity.BLOCKING),
    ]
    subject, names = ("shop.example.com",) * 2 if kind == "wrong-host" else ("127.0.0.1", "localhost, 127.0.0.1")
    issued = "self-signed" if kind == "self-signed" else "issued by CN=Staging CA"
    summary, fix = MESSAGES[kind].split(" — ", 1)
    assert report.problems == [
        f"{summary} (it presents CN={subject}, for {names}, {issued}, "
        f"valid until {leaf.certificate.not_valid_after_utc:%Y-%m-%d}) — {fix}"
    ]
    assert not report.ok


def test_a_trusted_certificate_is_named_with_its_issuer_and_end(tmp_path):
    leaf = issue(CA)
    with tls_store(leaf, tmp_path) as server, build_client(server.config(ca_certificate=CA.cert_pem)) as client:
        report = diagnose(client)
    assert report.ok, report.problems
    assert report.findings[0].detail.endswith("; the store's own CA certificate")
    assert report.findings[1].line() == (
        f"[ok] certificate: the certificate of 127.0.0.1 is trusted (CN=127.0.0.1, issued by CN=Staging CA, "
        f"valid until {leaf.certificate.not_valid_after_utc:%Y-%m-%d})"
    )


def test_a_certificate_about_to_expire_is_a_warning(tmp_path):
    leaf = issue(CA, not_after=datetime.now(UTC) + timedelta(days=5, hours=12))
    with tls_store(leaf, tmp_path) as server, build_client(server.config(ca_certificate=CA.cert_pem)) as client:
        report = diagnose(client)
    assert report.ok
    assert report.warnings == [
        f"the certificate of 127.0.0.1 expires on {leaf.certificate.not_valid_after_utc:%Y-%m-%d} (in 5 days): "
        "polls stop that day unless it is renewed"
    ]


def test_behind_an_https_proxy_the_certificate_is_left_to_the_proxied_requests(tmp_path, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with tls_store(issue(None), tmp_path) as server:
        findings = certificate_findings(server.config())
    assert [(finding.name, finding.severity) for finding in findings] == [("trust", Severity.OK)]
