"""What every outbound TLS connection trusts: the OS trust store, SSL_CERT_FILE / SSL_CERT_DIR, a store's own CA.

One context is shared by every client: building one costs about 20 ms (parsing the CA
bundle), which cost more than the request itself when each callback, delivery and poll
built its own. A store that carries its own CA certificate gets a context of its own —
the shared trust plus that CA — cached per distinct CA, so a store's CA is trusted for
that store only. Nothing here turns verification off.

On macOS and Windows the OS trust store is the platform's verifier, reached through
`truststore`. On Linux and the BSDs the OS trust store is OpenSSL's default CA file and
directory, and `truststore` would re-load them on every handshake (its OpenSSL backend
calls `set_default_verify_paths()` in each `wrap_socket()`: ~20 ms a connection, and on
OpenSSL 3.0–3.3 a lookup list that grows with every call, truststore issue #212); so there
the same locations, in the same order, are loaded once into a standard context.

`SSL_CERT_FILE` and `SSL_CERT_DIR` are OpenSSL's variables, read through the settings
(so `.env` and `NAME_FILE` work as for any other). OpenSSL lets them *replace* its default
locations; here they are trusted *in addition* to the OS store, so pointing
`SSL_CERT_FILE` at a company CA alone does not drop the public CAs.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import ssl
import sys
from dataclasses import dataclass

import certifi
import truststore
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop, override
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# Where Linux distributions keep their bundle when OpenSSL's compiled-in path does not exist
# (Python builds made elsewhere look in /usr/local/ssl): truststore's and certifi-system-store's list.
DISTRIBUTION_BUNDLES = (
    "/etc/ssl/cert.pem",  # Alpine, Arch, Fedora 34-43, RHEL 9-10, BSD
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  # Fedora 44+, RHEL 11+
    "/etc/pki/tls/cert.pem",  # older Fedora, RHEL, CentOS
    "/etc/ssl/certs/ca-certificates.crt",  # Debian, Ubuntu
    "/etc/ssl/ca-bundle.pem",  # SUSE
)
HASHED_NAME = re.compile(r"^[0-9a-fA-F]{8}\.[0-9]+$")  # what `openssl rehash` names certificates in a directory
PLATFORM_VERIFIER = sys.platform in ("darwin", "win32")


def _said(text: str, values: dict[str, object]) -> str:
    return gettext(text) % values


# Contexts are cached for the process, their words are not: each is put in the language
# active where it is read (the request's in the admin, LANGUAGE_CODE in a command).
said_lazy = lazy(_said, str)


@dataclass(frozen=True)
class Trust:
    """What a context trusts, in words: `sources` in the order loaded, `problems` with the environment's.

    Each text is lazy: str() words it in the active language.
    """

    sources: tuple[str, ...]
    problems: tuple[str, ...] = ()


def normalize_pem(text: str) -> str:
    """Return PEM text with its lines stripped and LF endings (a browser's textarea sends CRLF)."""
    lines = [line.strip() for line in (text or "").strip().splitlines()]
    return "\n".join(line for line in lines if line) + ("\n" if lines else "")


def tls_context(extra_ca: str = "") -> ssl.SSLContext:
    """Return the shared context, or the one that also trusts `extra_ca` (PEM); both are cached.

    An SSLContext is safe to share between threads and clients.
    """
    return _build(normalize_pem(extra_ca))[0]


def trust(extra_ca: str = "") -> Trust:
    """Return what `tls_context(extra_ca)` trusts, and what is wrong with SSL_CERT_FILE / SSL_CERT_DIR."""
    return _build(normalize_pem(extra_ca))[1]


def reload() -> None:
    """Forget every context: the next call reads the settings and the OS store again."""
    _build.cache_clear()


@functools.lru_cache(maxsize=64)
def _build(extra_ca: str) -> tuple[ssl.SSLContext, Trust]:
    sources: list[str] = []
    problems: list[str] = []
    if PLATFORM_VERIFIER:
        context: ssl.SSLContext = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        sources.append(_("the operating system's trust store"))
        loaded: set[str] = set()
    else:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED and check_hostname
        loaded = _load_openssl_defaults(context, sources)
    _load_environment(context, sources, problems, loaded)
    if extra_ca:
        # Validated when it was saved (adolf.certificates.read_ca_certificates); loading it
        # again here can only fail if the file changed under us, and then nothing is trusted extra.
        try:
            context.load_verify_locations(cadata=extra_ca)
            sources.append(_("the store's own CA certificate"))
        except ssl.SSLError as exc:
            problems.append(
                said_lazy(
                    gettext_noop("the store's CA certificate cannot be loaded (%(reason)s)"),
                    {"reason": exc.reason or exc},
                )
            )
    with override(None):  # the log is for developers: in English
        for problem in problems:
            logger.warning("TLS trust: %s", str(problem))
    return context, Trust(tuple(sources), tuple(problems))


def _load_openssl_defaults(context: ssl.SSLContext, sources: list[str]) -> set[str]:
    """Load OpenSSL's compiled-in CA file and directory, else a distribution's bundle, else certifi's.

    Return the real paths loaded, so the environment's variables naming the same places
    are not loaded twice.
    """
    paths = ssl.get_default_verify_paths()
    cafile = paths.openssl_cafile if paths.openssl_cafile and os.path.isfile(paths.openssl_cafile) else None
    capath = paths.openssl_capath if _has_hashed_certificates(paths.openssl_capath) else None
    if cafile is None and capath is None:
        cafile = next((path for path in DISTRIBUTION_BUNDLES if os.path.isfile(path)), None)
    if cafile is None and capath is None:
        cafile = certifi.where()
        context.load_verify_locations(cafile=cafile)
        sources.append(
            said_lazy(gettext_noop("certifi's bundle (%(path)s), as no OS trust store was found"), {"path": cafile})
        )
        return {os.path.realpath(cafile)}
    context.load_verify_locations(cafile=cafile, capath=capath)
    paths = ", ".join(path for path in (cafile, capath) if path)
    sources.append(said_lazy(gettext_noop("the OS trust store (%(paths)s)"), {"paths": paths}))
    return {os.path.realpath(path) for path in (cafile, capath) if path}


def _load_environment(context: ssl.SSLContext, sources: list[str], problems: list[str], loaded: set[str]) -> None:
    cert_file = settings.SSL_CERT_FILE
    if cert_file:
        if not os.path.isfile(cert_file):
            problems.append(
                said_lazy(
                    gettext_noop("SSL_CERT_FILE=%(path)s is not a file: its certificates are not trusted"),
                    {"path": cert_file},
                )
            )
        elif os.path.realpath(cert_file) in loaded:
            sources.append(
                said_lazy(gettext_noop("SSL_CERT_FILE=%(path)s (the OS trust store's own bundle)"), {"path": cert_file})
            )
        else:
            try:
                context.load_verify_locations(cafile=cert_file)
                sources.append(f"SSL_CERT_FILE={cert_file}")
            except ssl.SSLError as exc:
                reason = exc.reason or exc
                problems.append(
                    said_lazy(
                        gettext_noop("SSL_CERT_FILE=%(path)s holds no certificate OpenSSL can read (%(reason)s)"),
                        {"path": cert_file, "reason": reason},
                    )
                )
    # OpenSSL reads SSL_CERT_DIR as a list of directories, like PATH.
    for directory in filter(None, (part.strip() for part in settings.SSL_CERT_DIR.split(os.pathsep))):
        if not os.path.isdir(directory):
            problems.append(
                said_lazy(
                    gettext_noop("SSL_CERT_DIR=%(path)s is not a directory: its certificates are not trusted"),
                    {"path": directory},
                )
            )
        elif not _has_hashed_certificates(directory):
            problems.append(
                said_lazy(
                    gettext_noop(
                        "SSL_CERT_DIR=%(path)s holds no certificate under a hashed name: run `openssl rehash %(path)s`"
                    ),
                    {"path": directory},
                )
            )
        elif os.path.realpath(directory) in loaded:
            sources.append(
                said_lazy(
                    gettext_noop("SSL_CERT_DIR=%(path)s (the OS trust store's own directory)"), {"path": directory}
                )
            )
        else:
            context.load_verify_locations(capath=directory)
            sources.append(f"SSL_CERT_DIR={directory}")


def _has_hashed_certificates(directory: str | None) -> bool:
    if not directory or not os.path.isdir(directory):
        return False
    try:
        return any(HASHED_NAME.match(name) for name in os.listdir(directory))
    except OSError:
        return False
