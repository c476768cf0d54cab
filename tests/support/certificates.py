"""Certificates made in the test: a private CA, the leaves it signs, self-signed and expired ones, as PEM files."""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from simulator import SimulatedStore, StoreServer

LOOPBACK = ("127.0.0.1", "localhost")
CA_KEY_USAGE = x509.KeyUsage(
    digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
    key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False,
)  # fmt: skip


@dataclass
class Issued:
    """A certificate with its key; `cert_pem` / `key_pem` as text, `files(dir)` as the paths a server loads."""

    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    chain: tuple[x509.Certificate, ...] = ()  # intermediates a server sends after its own certificate

    @property
    def cert_pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()

    @property
    def key_pem(self) -> str:
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()

    def files(self, directory: Path, stem: str = "server") -> tuple[str, str]:
        chain = self.cert_pem + "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in self.chain)
        cert_path, key_path = directory / f"{stem}.crt", directory / f"{stem}.key"
        cert_path.write_text(chain)
        key_path.write_text(self.key_pem)
        return str(cert_path), str(key_path)

    def cert_file(self, directory: Path, stem: str = "ca") -> str:
        path = directory / f"{stem}.pem"
        path.write_text(self.cert_pem)
        return str(path)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _alt_names(names: tuple[str, ...]) -> x509.SubjectAlternativeName:
    entries: list[x509.GeneralName] = []
    for name in names:
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            entries.append(x509.DNSName(name))
    return x509.SubjectAlternativeName(entries)


def make_ca(common_name: str = "ADOLF Test CA", *, expired: bool = False) -> Issued:
    """A root CA, valid from yesterday for a year (or expired yesterday)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    start, end = now - timedelta(days=1), now + timedelta(days=365)
    if expired:
        start, end = now - timedelta(days=30), now - timedelta(days=1)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(CA_KEY_USAGE, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(certificate, key)


def issue(
    ca: Issued | None,
    names: tuple[str, ...] = LOOPBACK,
    *,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> Issued:
    """A server certificate for `names`, signed by `ca` (or by itself when `ca` is None)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    subject = _name(names[0])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.certificate.subject if ca else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - timedelta(days=1))
        .not_valid_after(not_after or now + timedelta(days=90))
        .add_extension(_alt_names(names), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    )
    if ca is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False
        )
    certificate = builder.sign(ca.key if ca else key, hashes.SHA256())
    return Issued(certificate, key)


def expired(ca: Issued) -> Issued:
    now = datetime.now(UTC)
    return issue(ca, not_before=now - timedelta(days=60), not_after=now - timedelta(days=2))


def hashed_name(certificate: x509.Certificate) -> str:
    """Return the file name `openssl rehash` gives a CA certificate in a directory (`<subject hash>.0`).

    OpenSSL hashes the subject's canonical encoding: every value a lower-cased UTF8String with
    its white space collapsed, the RDNs without the outer SEQUENCE header; SHA-1's first four
    bytes, little-endian.
    """
    values = [(attribute.oid, " ".join(str(attribute.value).lower().split())) for attribute in certificate.subject]
    name = x509.Name([x509.NameAttribute(oid, value, _type=_ASN1Type.UTF8String) for oid, value in values])
    canonical = name.public_bytes()
    length = canonical[1]
    body = canonical[2:] if length < 0x80 else canonical[2 + (length & 0x7F) :]
    return f"{int.from_bytes(hashlib.sha1(body, usedforsecurity=False).digest()[:4], 'little'):08x}.0"


@contextmanager
def tls_store(leaf: Issued, directory: Path, store: SimulatedStore | None = None) -> Iterator[StoreServer]:
    """A simulated store serving real TLS with `leaf` on a free loopback port."""
    certfile, keyfile = leaf.files(directory, stem=f"leaf-{leaf.certificate.serial_number:x}")
    with StoreServer(store, certfile=certfile, keyfile=keyfile) as server:
        yield server
