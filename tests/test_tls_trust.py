"""What outbound TLS trusts: the OS store plus SSL_CERT_FILE / SSL_CERT_DIR, and a store's CA for that store only."""

from __future__ import annotations

import pytest

from adolf import tls
from adolf.http import CertificateHttpError, new_client, send
from tests.support.certificates import hashed_name, issue, make_ca, tls_store

pytestmark = pytest.mark.usefixtures("in_english")


@pytest.fixture
def fresh_trust(settings):
    """Contexts built anew from the SSL_CERT_FILE / SSL_CERT_DIR the test sets, and forgotten after it.

    (A child process reads them from its environment: tests/shop/test_check_store_command.py.)
    """
    settings.SSL_CERT_FILE = settings.SSL_CERT_DIR = ""
    tls.reload()
    yield settings
    tls.reload()


def status_of(url: str, extra_ca: str = "") -> int:
    with new_client(base_url=url, timeout=5, extra_ca=extra_ca) as client:
        return send(client, "GET", "/wp-json/").status_code


def test_a_company_ca_in_ssl_cert_file_is_trusted_besides_the_os_store(fresh_trust, tmp_path):
    company = make_ca("Company CA")
    fresh_trust.SSL_CERT_FILE = company.cert_file(tmp_path)
    tls.reload()

    with tls_store(issue(company), tmp_path) as store:
        assert status_of(store.url) == 200
    sources = tls.trust().sources
    assert sources[0].startswith("the OS trust store (")
    assert sources[1] == f"SSL_CERT_FILE={tmp_path / 'ca.pem'}"
    assert tls.trust().problems == ()


def test_a_directory_in_ssl_cert_dir_is_trusted_by_its_hashed_names(fresh_trust, tmp_path):
    company = make_ca("Company CA")
    certs = tmp_path / "certs"
    certs.mkdir()
    (certs / hashed_name(company.certificate)).write_text(company.cert_pem)
    fresh_trust.SSL_CERT_DIR = str(certs)
    tls.reload()

    with tls_store(issue(company), tmp_path) as store:
        assert status_of(store.url) == 200
    assert tls.trust().sources[1:] == (f"SSL_CERT_DIR={certs}",)


def test_without_the_variable_the_company_ca_is_not_trusted(fresh_trust, tmp_path):
    company = make_ca("Company CA")
    with tls_store(issue(company), tmp_path) as store:
        with pytest.raises(CertificateHttpError) as caught:
            status_of(store.url)
    assert caught.value.problem.kind == "unknown-ca"
    assert caught.value.permanent is True


def test_variables_naming_nothing_usable_are_reported_not_ignored(fresh_trust, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "company.pem").write_text("not hashed")
    fresh_trust.SSL_CERT_FILE = str(tmp_path / "missing.pem")
    fresh_trust.SSL_CERT_DIR = f"{empty}:{tmp_path / 'nowhere'}"
    tls.reload()

    assert tls.trust().problems == (
        f"SSL_CERT_FILE={tmp_path / 'missing.pem'} is not a file: its certificates are not trusted",
        f"SSL_CERT_DIR={empty} holds no certificate under a hashed name: run `openssl rehash {empty}`",
        f"SSL_CERT_DIR={tmp_path / 'nowhere'} is not a directory: its certificates are not trusted",
    )
    assert tls.trust().sources[0].startswith("the OS trust store (")


def test_a_stores_ca_is_trusted_by_its_own_context_only(fresh_trust, tmp_path):
    staging = make_ca("Staging CA")
    with tls_store(issue(staging), tmp_path) as store:
        assert status_of(store.url, extra_ca=staging.cert_pem) == 200
        with pytest.raises(CertificateHttpError):
            status_of(store.url)
    assert tls.tls_context(staging.cert_pem) is not tls.tls_context()
    assert tls.trust(staging.cert_pem).sources[-1] == "the store's own CA certificate"


def test_one_context_is_cached_per_distinct_ca_whatever_its_line_endings(fresh_trust):
    first, second = make_ca("First CA"), make_ca("Second CA")
    pasted = first.cert_pem.replace("\n", "\r\n") + "\r\n\r\n"

    assert tls.tls_context() is tls.tls_context("")
    assert tls.tls_context(first.cert_pem) is tls.tls_context(pasted)
    assert tls.tls_context(first.cert_pem) is not tls.tls_context(second.cert_pem)
