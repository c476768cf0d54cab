"""With the store's REST keys beside the application password, REST fills in what the adapter's orders lack."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from shop.woocommerce import StoreConfigError, build_client
from shop.woocommerce.config import StoreConfig
from tests.support.simulated_store import BEFORE_ALL, fill

pytestmark = pytest.mark.usefixtures("in_english")


def with_rest_keys(server, **options):
    key = server.store.read_key
    return server.config("mcp-adapter", rest_key=key.key, rest_secret=key.secret, **options)


def test_each_page_of_thin_orders_is_completed_over_rest(server):
    paid = server.store.create_order(status="processing", total="100.00", first_name="Grace", last_name="Hopper")
    server.store.refund(paid.id, "30.00", reason="scratched")
    with build_client(with_rest_keys(server)) as client:
        (page,) = client.iter_modified_orders(BEFORE_ALL)
    (order,) = page.orders
    assert (order.customer_name, order.phone, order.number) == ("Grace Hopper", "+7 900 000-00-00", str(paid.id))
    assert order.date_paid_gmt is not None
    assert order.refunded_total == Decimal("30.00")
    assert len(server.adapter_mcp.tool_calls) == 1  # the listing itself still comes over MCP


def test_an_order_gone_from_rest_meanwhile_keeps_its_thin_version(server):
    ids = fill(server.store, 3)
    server.store.trash(ids[1])  # listed by the adapter's stale page, no longer by REST
    with build_client(with_rest_keys(server)) as client:
        raw = client.complete([{"id": ids[0]}, {"id": ids[1], "status": "processing"}])
    assert raw[0]["billing"]["first_name"] == "Ivan"
    assert raw[1] == {"id": ids[1], "status": "processing"}


def test_one_order_and_its_refunds_are_read_over_rest(server):
    order = server.store.create_order(status="completed", total="80.00")
    server.store.refund(order.id, "20.00", reason="late")
    with build_client(with_rest_keys(server)) as client:
        assert client.get_order(order.id).total == Decimal("80.00")
        refunds = client.list_refunds(order.id)
    assert [(refund.reason, refund.amount) for refund in refunds] == [("late", Decimal("20.00"))]
    assert refunds[0].date_created_gmt is not None


def test_the_connection_test_checks_the_rest_keys_and_names_nothing_unseen(server):
    with build_client(with_rest_keys(server)) as client:
        report = client.test_connection(need_write=True)
    assert report.ok is False  # a read-only REST key cannot register webhooks
    assert report.can_write is False
    assert [check.name for check in report.findings if check.name.startswith("REST")] == [
        "REST woocommerce", "REST keys", "REST version", "REST read orders", "REST write",
    ]  # fmt: skip
    assert report.notes == []


def test_without_rest_keys_the_connection_test_says_what_the_adapter_cannot_see(server):
    with build_client(server.config("mcp-adapter")) as client, translation.override("en"):
        report = client.test_connection()
    assert report.ok
    assert [note.split(":")[0] for note in report.notes] == [
        "partial refunds",
        "payment dates",
        "customer names, phones and notes, and order numbers set by plugins (notifications show the order id)",
        "webhooks",
        "touched or changed",
    ]
    assert report.summary().startswith("simulated-shop: connection works; partial refunds: ")


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"api": "rest", "rest_key": "ck_1", "rest_secret": "cs_1"}, "separate REST keys are for MCP adapter stores"),
        ({"api": "mcp-adapter", "rest_key": "ck_1"}, "go together"),
    ],
)
def test_rest_keys_belong_to_adapter_stores_and_come_in_pairs(options, error):
    with pytest.raises(StoreConfigError, match=error):
        StoreConfig(base_url="https://shop.example", key="user", secret="pass", **options)
