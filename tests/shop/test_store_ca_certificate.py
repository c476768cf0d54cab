"""A store may carry its own CA certificate: its polls then work, and no other store trusts that CA."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from shop.models import OrderEvent, PollRun, Store
from shop.polling import poll_store
from shop.woocommerce.errors import CertificateError
from tests.shop.conftest import ago
from tests.support.certificates import issue, make_ca, tls_store

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

STAGING = make_ca("Staging CA")


def tls_store_row(server, slug: str, ca: str = "") -> Store:
    key = server.store.read_key
    return Store.objects.create(
        name=slug.title(), slug=slug, base_url=server.url, consumer_key=key.key, consumer_secret=key.secret,
        ca_certificate=ca,
    )  # fmt: skip


def test_a_store_carrying_its_ca_is_polled(tmp_path):
    with tls_store(issue(STAGING), tmp_path) as server:
        store = tls_store_row(server, "staging", STAGING.cert_pem)
        paid = server.store.create_order(status="processing", at=ago(server, minutes=1))

        run = poll_store(store.pk)

    assert (run.outcome, run.events_created) == (PollRun.Outcome.OK, 1)
    assert list(OrderEvent.objects.values_list("store__slug", "order_id", "event_type")) == [
        ("staging", paid.id, "shop.order.new")
    ]


def test_another_store_on_the_same_ca_is_not_trusted_with_it(tmp_path):
    with tls_store(issue(STAGING), tmp_path) as first, tls_store(issue(STAGING), tmp_path) as second:
        tls_store_row(first, "staging", STAGING.cert_pem)
        other = tls_store_row(second, "other")
        second.store.create_order(status="processing", at=ago(second, minutes=1))

        with pytest.raises(CertificateError) as caught:
            poll_store(other.pk)

    assert caught.value.problem.kind == "unknown-ca"
    other.refresh_from_db()
    assert other.last_error.startswith(f"Other: GET {second.url}/wp-json/wc/v3/orders: TLS: the certificate of ")
    assert "is signed by a CA that this server does not know" in other.last_error
    assert list(PollRun.objects.filter(store=other).values_list("outcome", "error_type")) == [
        ("failed", "CertificateError")
    ]
    assert not OrderEvent.objects.exists()


def test_add_store_reads_the_ca_from_a_file(tmp_path):
    with tls_store(issue(STAGING), tmp_path) as server:
        key = server.store.read_key
        call_command(
            "add_store", "--name", "Staging", "--url", server.url, "--consumer-key", key.key,
            "--consumer-secret", key.secret, "--ca-file", STAGING.cert_file(tmp_path), stdout=StringIO(),
        )  # fmt: skip
        store = Store.objects.get()
        assert poll_store(store.pk).outcome == PollRun.Outcome.OK
    assert store.ca_certificate == STAGING.cert_pem


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (None, "cannot read --ca-file"),
        (issue(STAGING).key_pem, "CA certificate: this holds a private key"),
        (issue(STAGING).cert_pem, "is a server certificate issued by CN=Staging CA, not a CA"),
    ],
)
def test_add_store_refuses_a_ca_file_that_cannot_work(tmp_path, content, error):
    path = tmp_path / "ca.pem"
    if content is not None:
        path.write_text(content)
    with pytest.raises(CommandError, match=error):
        call_command(
            "add_store", "--name", "Staging", "--url", "https://staging.example", "--consumer-key", "ck_1",
            "--consumer-secret", "cs_1", "--ca-file", str(path), stdout=StringIO(),
        )  # fmt: skip
    assert not Store.objects.exists()


def test_a_ca_pasted_in_the_admin_is_kept_with_plain_line_endings(client, tmp_path):
    client.force_login(get_user_model().objects.create_superuser("operator", password="a-long-password-1"))
    form = {
        "name": "Staging", "slug": "staging", "base_url": "https://staging.example", "api": "rest",
        "consumer_key": "ck_1", "consumer_secret": "cs_1", "poll_interval": "60", "first_poll_lookback": "60",
        "overlap": "120", "event_types": ["shop.order.new"], "enabled": "on",
        "ca_certificate": "\r\n  " + STAGING.cert_pem.replace("\n", "\r\n") + "\r\n",
    }  # fmt: skip

    assert client.post("/admin/shop/store/add/", form).status_code == 302

    store = Store.objects.get()
    assert store.ca_certificate == STAGING.cert_pem
    page = client.get(f"/admin/shop/store/{store.pk}/change/").content.decode()
    assert "-----BEGIN CERTIFICATE-----" in page
