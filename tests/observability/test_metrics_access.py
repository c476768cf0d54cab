"""/metrics is for the monitoring system only: a bearer token when set, and allowed networks."""

from __future__ import annotations

import ipaddress

import pytest

pytestmark = pytest.mark.django_db

LOOPBACK = [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")]
EVERYWHERE = [ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")]


def test_without_a_token_only_the_machine_itself_may_scrape(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = LOOPBACK

    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    refused = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 403
    assert b"METRICS_ALLOWED_NETWORKS" in refused.content


def test_with_a_token_a_scrape_needs_the_bearer_token(client, settings):
    settings.METRICS_TOKEN = "scrape-me-0123456789"
    settings.METRICS_ALLOWED_NETWORKS = EVERYWHERE

    missing = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    wrong = client.get("/metrics", REMOTE_ADDR="203.0.113.9", headers={"Authorization": "Bearer nope"})
    right = client.get("/metrics", REMOTE_ADDR="203.0.113.9", headers={"Authorization": "Bearer scrape-me-0123456789"})

    assert (missing.status_code, wrong.status_code, right.status_code) == (401, 401, 200)
    assert missing["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"shop_poll_duration_seconds" in right.content


def test_a_token_does_not_open_a_network_that_is_not_allowed(client, settings):
    settings.METRICS_TOKEN = "scrape-me-0123456789"
    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.0.0.0/8")]

    response = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.9", headers={"Authorization": "Bearer scrape-me-0123456789"}
    )

    assert response.status_code == 403


def test_the_default_networks_follow_the_token(tmp_path):
    from tests.test_settings import PRODUCTION, run_settings

    code = "import django; from django.conf import settings; django.setup(); print(settings.METRICS_ALLOWED_NETWORKS)"
    without = run_settings(tmp_path, code, **PRODUCTION)
    with_token = run_settings(tmp_path, code, METRICS_TOKEN="t0ken", **PRODUCTION)
    bad = run_settings(tmp_path, code, METRICS_ALLOWED_NETWORKS="10.0.0.0/8,not-a-network", **PRODUCTION)

    assert "127.0.0.0/8" in without.stdout
    assert "0.0.0.0/0" not in without.stdout
    assert "0.0.0.0/0" in with_token.stdout
    assert bad.returncode != 0
    assert "METRICS_ALLOWED_NETWORKS" in bad.stderr
