"""Every diagnosis names what actually happened: a stripped header, a redirect's target, a clock far off."""

from __future__ import annotations

import pytest

from shop.woocommerce import AuthenticationError, InvalidResponseError, build_client
from shop.woocommerce.base import Severity
from shop.woocommerce.diagnosis import diagnose
from simulator import SimulatedStore
from tests.support.certificates import issue, make_ca, tls_store
from tests.support.simulated_store import BEFORE_ALL, fill

pytestmark = pytest.mark.usefixtures("in_english")

CA = make_ca("Staging CA")
STRIPPED = (
    "the store saw no credentials (HTTP 401 woocommerce_rest_cannot_view, its answer to anonymous visitors) though "
    "the keys were in the Authorization header: its host strips that header."
)


def found(report) -> list[tuple[str, Severity]]:
    return [(finding.name, finding.severity) for finding in report.findings]


@pytest.fixture
def stripping_store(tmp_path):
    """An https store on a host that drops the Authorization header (Apache with PHP as CGI)."""
    with tls_store(issue(CA), tmp_path, SimulatedStore(strips_authorization=True)) as server:
        yield server


def test_a_host_that_strips_the_authorization_header_is_named_with_the_fix(stripping_store):
    with build_client(stripping_store.config(ca_certificate=CA.cert_pem)) as client:
        report = diagnose(client)
    assert found(report)[:5] == [
        ("trust", Severity.OK),
        ("certificate", Severity.OK),
        ("reachable", Severity.OK),
        ("woocommerce", Severity.OK),
        ("keys", Severity.BLOCKING),
    ]
    assert report.problems == [
        f"{STRIPPED} With the keys in the query string the store accepts them — tick “keys in the query string” "
        "for this store (or have the host pass the header on)"
    ]


def test_with_keys_in_the_query_string_the_same_store_polls(stripping_store):
    fill(stripping_store.store, 3)
    config = stripping_store.config(ca_certificate=CA.cert_pem, query_string_auth=True)
    with build_client(config) as client:
        assert diagnose(client).ok
        orders = [order.id for page in client.iter_modified_orders(BEFORE_ALL) for order in page.orders]
    assert orders == sorted(stripping_store.store.orders)


def test_a_stripped_header_and_wrong_keys_say_both(stripping_store):
    with build_client(stripping_store.config(ca_certificate=CA.cert_pem, secret="cs_wrong")) as client:
        report = diagnose(client)
    assert report.problems == [
        f"{STRIPPED[:-1]}; with the keys in the query string it refused them too: authentication refused "
        "(HTTP 401 woocommerce_rest_authentication_error: Consumer secret is invalid.)"
    ]


def test_a_poll_refused_as_anonymous_says_the_header_was_stripped(stripping_store):
    with build_client(stripping_store.config(ca_certificate=CA.cert_pem)) as client:
        with pytest.raises(AuthenticationError) as caught:
            list(client.iter_modified_orders(BEFORE_ALL))
    assert caught.value.message == (
        "authentication refused (HTTP 401 woocommerce_rest_cannot_view: Sorry, you cannot list resources.): "
        "the store saw the request as anonymous though the keys were in the Authorization header: its host strips "
        "that header — tick “keys in the query string” for this store (or have the host pass the header on)"
    )


def test_a_redirect_is_named_with_its_target_not_as_a_site_without_wordpress(server):
    server.store.redirect_to = "https://www.shop.example"
    with build_client(server.config()) as client:
        report = diagnose(client)
    assert report.problems == [
        f"{server.url}/wp-json/ redirects (HTTP 301) to https://www.shop.example/wp-json/, and redirects are not "
        "followed: make https://www.shop.example the store URL"
    ]


def test_a_poll_that_meets_a_redirect_names_the_target_without_the_keys(server):
    server.store.redirect_to = "https://www.shop.example"
    config = server.config(auth="query")
    with build_client(config) as client, pytest.raises(InvalidResponseError) as caught:
        list(client.iter_modified_orders(BEFORE_ALL))
    assert caught.value.message == (
        f"GET {server.url}/wp-json/wc/v3/orders redirected (HTTP 301) to "
        "https://www.shop.example/wp-json/wc/v3/orders; configure that URL instead"
    )
    assert config.secret not in str(caught.value)


def test_a_store_clock_hours_off_is_a_warning_saying_what_it_breaks(server):
    server.store.set_clock_offset(2 * 3600)
    with build_client(server.config()) as client:
        report = diagnose(client)
    assert report.ok
    assert report.findings[-1].line() == (
        "[warning] clock: the store's clock is 2 h 0 min ahead of ours: polls follow the store's clock and lose "
        "nothing, but the first poll's look-back window is measured by ours, so it reads about 2 h 0 min more "
        "history than asked, and the poll lag shown is off as much — set both clocks by NTP"
    )


def test_a_clock_too_far_for_oauth_signatures_is_blamed_instead_of_the_keys(plain_http_server):
    plain_http_server.store.set_clock_offset(-47 * 60)
    with build_client(plain_http_server.config()) as client:
        report = diagnose(client)
    assert found(report) == [
        ("reachable", Severity.OK),
        ("woocommerce", Severity.OK),
        ("clock", Severity.BLOCKING),
    ]
    assert report.problems == [
        "the store refused our signature (authentication refused (HTTP 401 woocommerce_rest_authentication_error: "
        "Invalid timestamp.)): the store's clock is 47 min behind ours, and WooCommerce refuses OAuth 1.0a "
        "requests (plain http) whose timestamp is more than 15 minutes off its clock — set both clocks by NTP"
    ]


def test_an_mcp_stores_clock_is_checked_like_a_rest_stores(server):
    server.store.set_clock_offset(-3 * 3600)
    with build_client(server.config("mcp-legacy")) as client:
        report = diagnose(client)
    assert found(report) == [("session", Severity.OK), ("read orders", Severity.OK), ("clock", Severity.WARNING)]
    assert report.warnings[0].startswith("the store's clock is 3 h 0 min behind ours: ")
    assert "reads about 3 h 0 min less history than asked" in report.warnings[0]


def test_an_mcp_stores_certificate_problem_is_named_before_the_session(tmp_path):
    with tls_store(issue(None), tmp_path) as server, build_client(server.config("mcp-legacy")) as client:
        report = diagnose(client)
    assert found(report) == [("trust", Severity.OK), ("certificate", Severity.BLOCKING)]
    assert report.problems[0].startswith("the certificate of 127.0.0.1 is self-signed, so nothing vouches for it")
