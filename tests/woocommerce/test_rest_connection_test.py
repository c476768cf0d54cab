""" "Test connection" says plainly what is wrong with a REST store, or that it works."""

from __future__ import annotations

import socket

import pytest

from shop.woocommerce import StoreConfig, build_client
from tests.support.loopback import LoopbackServer, Reply

pytestmark = pytest.mark.usefixtures("in_english")


def diagnose(config, **options):
    with build_client(config) as client:
        return client.test_connection(**options)


def test_a_working_store_reports_its_version_and_clock(server):
    report = diagnose(server.config(), need_write=True)
    assert report.ok, report.problems
    assert report.version == "10.5.0"
    assert report.can_write is True
    assert report.store_time is not None
    assert report.summary() == "simulated-shop: connection works (WooCommerce 10.5.0)"


def test_an_unreachable_store_is_reported_as_such():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = StoreConfig(base_url=f"http://127.0.0.1:{port}", key="ck", secret="cs", allow_http=True)
    report = diagnose(config)
    assert not report.ok
    assert report.problems[0].startswith(f"cannot reach http://127.0.0.1:{port}")


def test_a_site_that_is_not_wordpress_is_reported_as_not_woocommerce():
    with LoopbackServer(Reply(200, b"<html>Hello</html>", {"Content-Type": "text/html"})) as site:
        report = diagnose(StoreConfig(base_url=site.url, key="ck", secret="cs", allow_http=True))
    assert report.problems == [f"{site.url} is not a WordPress/WooCommerce site: nothing answers at /wp-json/"]


def test_wordpress_with_its_rest_api_off_is_told_to_fix_permalinks(server):
    server.store.rest_enabled = False
    report = diagnose(server.config())
    assert len(report.problems) == 1
    assert "REST API at /wp-json/ does not" in report.problems[0]
    assert "pretty permalinks" in report.problems[0]


def test_wordpress_without_woocommerce_is_reported(server):
    server.store.woocommerce_active = False
    report = diagnose(server.config())
    assert report.problems == [
        "WordPress's REST API works but WooCommerce's (wc/v3) is missing: is WooCommerce installed and active?"
    ]


def test_a_wrong_key_is_reported_with_the_stores_reason(server):
    report = diagnose(server.config(secret="cs_wrong"))
    assert report.problems == [
        "the store refused the key: authentication refused (HTTP 401 woocommerce_rest_authentication_error: "
        "Consumer secret is invalid.) — check the consumer key and secret"
    ]


def test_a_read_only_key_is_enough_to_poll_but_not_to_register_webhooks(server):
    assert diagnose(server.config(read_only=True)).ok
    report = diagnose(server.config(read_only=True), need_write=True)
    assert report.can_write is False
    assert len(report.problems) == 1
    assert "read-only" in report.problems[0]
    assert "does not have write permissions" in report.problems[0]
    assert server.hub.webhooks == {}


def test_woocommerce_older_than_5_8_is_told_to_update(server):
    server.store.version = "5.7.2"
    report = diagnose(server.config())
    assert report.problems == [
        "WooCommerce 5.7.2 is older than 5.8 and cannot list orders by modification time: update it"
    ]
