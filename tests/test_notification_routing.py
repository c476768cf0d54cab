"""Each channel's rules pick the notifications it gets: minimum level, event types, modules, stores."""

from __future__ import annotations

import pytest

from notifications.models import Channel, Notification
from notifications.publish import publish
from notifications.routing import matches
from tests.factories.notifications import ChannelFactory


def notification(**fields) -> Notification:
    defaults = {"event_type": "shop.order.new", "source_module": "shop", "level": "info", "data": {"store": "main"}}
    return Notification(**{**defaults, **fields})


@pytest.mark.parametrize(
    ("rules", "fields", "expected"),
    [
        ({}, {}, True),
        ({"min_level": "warning"}, {"level": "info"}, False),
        ({"min_level": "warning"}, {"level": "warning"}, True),
        ({"min_level": "warning"}, {"level": "error"}, True),
        ({"min_level": "error"}, {"level": "warning"}, False),
        ({"event_types": ["shop.order.cancelled"]}, {}, False),
        ({"event_types": ["shop.order.cancelled", "shop.order.new"]}, {}, True),
        ({"event_types": ["shop.order.*"]}, {"event_type": "shop.order.refunded"}, True),
        ({"event_types": ["shop.order.*"]}, {"event_type": "auth.user.locked"}, False),
        ({"source_modules": ["auth", "cart"]}, {}, False),
        ({"source_modules": ["auth", "shop"]}, {}, True),
        ({"stores": ["main"]}, {}, True),
        ({"stores": ["outlet"]}, {}, False),
        ({"stores": ["main"]}, {"source_module": "auth", "data": {}}, False),
        ({"min_level": "warning", "stores": ["main"]}, {"level": "error"}, True),
    ],
)
def test_a_channel_takes_only_what_its_rules_allow(rules, fields, expected):
    assert matches(Channel(**rules), notification(**fields)) is expected


@pytest.mark.django_db
def test_publish_creates_deliveries_only_for_the_channels_whose_rules_match():
    main_errors = ChannelFactory(name="main errors", min_level="error", stores=["main"])
    outlet = ChannelFactory(name="outlet", stores=["outlet"])
    cancellations = ChannelFactory(name="cancellations", event_types=["shop.order.cancelled"])
    everything = ChannelFactory(name="everything")

    failed = publish("shop.order.failed", "Ошибка оплаты", "", "shop", "main:1", "error", {"store": "main"})
    cancelled = publish("shop.order.cancelled", "Заказ отменён", "", "shop", "outlet:2", "warning", {"store": "outlet"})

    assert set(failed.deliveries.values_list("channel", flat=True)) == {main_errors.pk, everything.pk}
    assert set(cancelled.deliveries.values_list("channel", flat=True)) == {outlet.pk, cancellations.pk, everything.pk}
