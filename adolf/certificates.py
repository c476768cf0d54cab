"""Certificates in words: read a CA certificate an operator pastes, say why a server's certificate failed.

Verification itself is OpenSSL's (adolf.tls builds the contexts); this module turns its
verify codes (`X509_V_ERR_*`, OpenSSL's include/openssl/x509_vfy.h) into the problem an
operator can act on, and reads certificates with `cryptography`.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.x509.oid import NameOID
from django.utils.translation import gettext as _

from adolf.tls import normalize_pem

# OpenSSL's verify codes, grouped by what the operator has to do about them.
SELF_SIGNED = {18}  # X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
PRIVATE_ROOT = {19}  # X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN
UNKNOWN_ISSUER = {2, 20, 21}  # UNABLE_TO_GET_ISSUER_CERT(_LOCALLY), UNABLE_TO_VERIFY_LEAF_SIGNATURE
EXPIRED = {10}  # X509_V_ERR_CERT_HAS_EXPIRED
NOT_YET_VALID = {9}  # X509_V_ERR_CERT_NOT_YET_VALID
WRONG_HOST = {62, 64}  # X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH
REVOKED = {23}  # X509_V_ERR_CERT_REVOKED


@dataclass(frozen=True)
class Peer:
    """Who presented the certificate: the fixes differ for a store (its own CA certificate in
    ADOLF) and any other server (SSL_CERT_FILE or the OS trust store)."""

    kind: str  # store | server


SERVER = Peer("server")
STORE = Peer("store")


class CertificateFileError(ValueError):
    """A CA certificate an operator gave cannot be used; the message says why and what to give instead."""


@dataclass(frozen=True)
class CertificateProblem:
    """Why a server's certificate was refused: `kind` for code, `summary` and `fix` for people."""

    kind: str  # self-signed | private-ca | unknown-ca | expired | not-yet-valid | wrong-host | revoked | other
    summary: str
    fix: str

    def __str__(self) -> str:
        return f"{self.summary} — {self.fix}"


def explain(
    error: ssl.SSLCertVerificationError, host: str, port: int = 443, *, peer: Peer = SERVER
) -> CertificateProblem:
    """Return the problem OpenSSL's verify code means for `peer` at `host`, with its fix.

    Worded in the active language (the operator reads it: Test connection, check_store,
    a store's last error).
    """
    code = error.verify_code
    said = error.verify_message or error.reason or str(error)
    store = peer is STORE
    values = {"host": host, "port": port, "said": said}
    if code in SELF_SIGNED:
        summary = _("the certificate of %(host)s is self-signed, so nothing vouches for it")
        if store:
            fix = _(
                "give that certificate to the store's CA certificate (in the admin, or add_store --ca-file), "
                "or give the store a certificate from a public CA"
            )
        else:
            fix = _(
                "give that certificate to SSL_CERT_FILE (or the OS trust store), or give the server a certificate "
                "from a public CA"
            )
        return CertificateProblem("self-signed", summary % values, fix % values)
    if code in PRIVATE_ROOT:
        summary = _("the certificate of %(host)s is signed by a private CA that this server does not trust")
        if store:
            fix = _(
                "give that CA's certificate to the store's CA certificate (in the admin, or add_store "
                "--ca-file), or add it to SSL_CERT_FILE or the OS trust store"
            )
        else:
            fix = _("give that CA's certificate to SSL_CERT_FILE (or the OS trust store)")
        return CertificateProblem("private-ca", summary % values, fix % values)
    if code in UNKNOWN_ISSUER:
        summary = _("the certificate of %(host)s is signed by a CA that this server does not know (%(said)s)")
        if store:
            fix = _(
                "for a private CA, give its certificate to the store's CA certificate (in the admin, or "
                "add_store --ca-file) or to SSL_CERT_FILE; for a public CA, the store's web server must "
                "also send its intermediate certificates"
            )
        else:
            fix = _(
                "for a private CA, give its certificate to SSL_CERT_FILE (or the OS trust store); for a public CA, "
                "the server's web server must also send its intermediate certificates"
            )
        return CertificateProblem("unknown-ca", summary % values, fix % values)
    if code in EXPIRED:
        summary = _("the certificate of %(host)s has expired")
        if store:
            fix = _(
                "renew it on the store's web server (for Let's Encrypt: certbot renew); if the store carries a CA "
                "certificate in ADOLF, check that one too"
            )
        else:
            fix = _("renew it on the server's web server (for Let's Encrypt: certbot renew)")
        return CertificateProblem("expired", summary % values, fix % values)
    if code in NOT_YET_VALID:
        summary = _("the certificate of %(host)s is not valid yet")
        if store:
            fix = _("check this server's clock and the store's: set both by NTP")
        else:
            fix = _("check this server's clock and the server's: set both by NTP")
        return CertificateProblem("not-yet-valid", summary % values, fix % values)
    if code in WRONG_HOST:
        summary = _("the certificate that %(host)s presents is made out to another name (%(said)s)")
        if store:
            fix = _(
                "use an address the certificate names as the store URL, or have the certificate issued for %(host)s"
            )
        else:
            fix = _("use an address the certificate names, or have the certificate issued for %(host)s")
        return CertificateProblem("wrong-host", summary % values, fix % values)
    if code in REVOKED:
        summary = _("the certificate of %(host)s has been revoked")
        fix = _("install a new certificate on the store") if store else _("install a new certificate on the server")
        return CertificateProblem("revoked", summary % values, fix % values)
    return CertificateProblem(
        "other",
        _("the certificate of %(host)s failed verification (%(said)s)") % values,
        _("look at the chain it sends with `openssl s_client -showcerts -connect %(host)s:%(port)s`") % values,
    )


def verification_error(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """Return the certificate verification failure behind an exception (httpx wraps it twice), if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLCertVerificationError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def describe_name(name: x509.Name) -> str:
    """Return a distinguished name as people say it: its common name, else its organisation, else RFC 4514."""
    for oid, label in ((NameOID.COMMON_NAME, "CN"), (NameOID.ORGANIZATION_NAME, "O")):
        values = name.get_attributes_for_oid(oid)
        if values:
            return f"{label}={values[0].value}"
    return name.rfc4514_string() or "(no name)"


def is_ca(certificate: x509.Certificate) -> bool:
    """Whether the certificate's basic constraints say it is a CA's (no such extension: not a CA)."""
    try:
        return bool(certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def read_ca_certificates(
    text: str, *, check_expiry: bool = True, now: datetime | None = None
) -> list[x509.Certificate]:
    """Return the certificates of a PEM text an operator gave as a store's CA; raise CertificateFileError.

    Accepted: one or more CA certificates, or a server's own self-signed certificate (a
    staging store's). Refused, each with what to give instead: a private key, anything not
    PEM, an expired certificate, and a server certificate issued by a CA (OpenSSL only
    trusts chains that end in a trusted self-signed or CA certificate).
    """
    pem = normalize_pem(text)
    if "PRIVATE KEY-----" in pem:
        raise CertificateFileError(
            _(
                "this holds a private key: give only the certificate (-----BEGIN CERTIFICATE-----) "
                "and keep the key secret"
            )
        )
    if "-----BEGIN CERTIFICATE-----" not in pem:
        raise CertificateFileError(
            _(
                "this is not a PEM certificate: expected text from -----BEGIN CERTIFICATE----- to "
                "-----END CERTIFICATE----- (a binary .cer or .der file converts with "
                "`openssl x509 -inform der -in FILE.cer -out FILE.pem`)"
            )
        )
    try:
        certificates = x509.load_pem_x509_certificates(pem.encode())
    except ValueError as exc:
        raise CertificateFileError(_("the certificate cannot be read: %(error)s") % {"error": exc}) from None
    now = now or datetime.now(UTC)
    for certificate in certificates:
        name = describe_name(certificate.subject)
        if check_expiry and certificate.not_valid_after_utc < now:
            raise CertificateFileError(
                _("the certificate %(name)s expired on %(date)s: give the store's current certificate or CA")
                % {"name": name, "date": f"{certificate.not_valid_after_utc:%Y-%m-%d}"}
            )
        if not is_ca(certificate) and certificate.issuer != certificate.subject:
            issuer = describe_name(certificate.issuer)
            raise CertificateFileError(
                _(
                    "the certificate %(name)s is a server certificate issued by %(issuer)s, not a CA: "
                    "give the certificate of %(issuer)s instead"
                )
                % {"name": name, "issuer": issuer}
            )
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cadata=pem)
    except ssl.SSLError as exc:
        raise CertificateFileError(
            _("OpenSSL cannot load the certificate: %(error)s") % {"error": exc.reason or exc}
        ) from None
    return certificates


def describe_ca(text: str) -> str:
    """Return what a stored CA text holds, one certificate after another: name and expiry."""
    try:
        certificates = x509.load_pem_x509_certificates(normalize_pem(text).encode())
    except ValueError:
        return _("unreadable")
    return "; ".join(
        _("%(name)s, valid until %(date)s")
        % {"name": describe_name(cert.subject), "date": f"{cert.not_valid_after_utc:%Y-%m-%d}"}
        for cert in certificates
    )


@dataclass(frozen=True)
class PeerCertificate:
    """The certificate a server presents, as read without verifying it (for diagnosis only)."""

    subject: str
    issuer: str
    names: tuple[str, ...]  # subjectAltName DNS names and IP addresses
    not_after: datetime
    self_signed: bool

    def describe(self) -> str:
        """Say who the certificate is for, who issued it and until when, in the active language."""
        values = {
            "subject": self.subject,
            "names": ", ".join(self.names) or _("no names"),
            "issuer": self.issuer,
            "date": f"{self.not_after:%Y-%m-%d}",
        }
        if self.self_signed:
            return _("%(subject)s, for %(names)s, self-signed, valid until %(date)s") % values
        return _("%(subject)s, for %(names)s, issued by %(issuer)s, valid until %(date)s") % values


def peer_certificate(host: str, port: int, *, timeout: float) -> PeerCertificate | None:
    """Read the certificate a server presents without verifying it; None if it cannot be read.

    Only for saying what is wrong after verification failed: nothing is sent over this
    connection, and it is closed as soon as the certificate is in.
    """
    try:
        pem = ssl.get_server_certificate((host, port), timeout=timeout)
        return _peer(x509.load_pem_x509_certificate(pem.encode()))
    except (OSError, ValueError):
        return None


def check_server(host: str, port: int, context: ssl.SSLContext, *, timeout: float) -> PeerCertificate | None:
    """Complete one TLS handshake with `context`; return the verified certificate, or raise.

    Raises ssl.SSLCertVerificationError when the certificate is refused and OSError when the
    server cannot be reached.
    """
    with socket.create_connection((host, port), timeout=timeout) as sock:
        with context.wrap_socket(sock, server_hostname=host) as tls:
            der = tls.getpeercert(binary_form=True)
    return _peer(x509.load_der_x509_certificate(der)) if der else None


def _peer(certificate: x509.Certificate) -> PeerCertificate:
    try:
        alt = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = tuple(alt.get_values_for_type(x509.DNSName)) + tuple(
            str(address) for address in alt.get_values_for_type(x509.IPAddress)
        )
    except x509.ExtensionNotFound:
        names = ()
    return PeerCertificate(
        subject=describe_name(certificate.subject),
        issuer=describe_name(certificate.issuer),
        names=names,
        not_after=certificate.not_valid_after_utc,
        self_signed=certificate.issuer == certificate.subject,
    )
