"""The inbox's filter menus cost the same few queries however many notifications there are, and list every value."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications import inbox
from tests.factories.notifications import NotificationFactory

pytestmark = pytest.mark.django_db
INBOX = reverse("notifications:list")


def notify(count: int, *, kinds: int) -> None:
    """Create `count` notifications over `kinds` event types, modules and stores."""
    for n in range(count):
        kind = n % kinds
        NotificationFactory(
            event_type=f"type.{kind:02d}", source_module=f"module{kind:02d}", data={"store": f"store-{kind:02d}"}
        )


def page_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(INBOX)
    assert response.status_code == 200
    return [query["sql"] for query in queries]


def test_a_page_load_costs_the_same_queries_with_ten_notifications_or_four_hundred(admin_client):
    notify(10, kinds=5)
    few = page_queries(admin_client)
    notify(390, kinds=5)

    assert len(page_queries(admin_client)) == len(few)


def test_the_menus_list_every_event_type_module_and_store_in_order(admin_client):
    notify(60, kinds=12)

    context = admin_client.get(INBOX).context
    assert context["event_types"] == [f"type.{kind:02d}" for kind in range(12)]
    assert context["modules"] == [f"module{kind:02d}" for kind in range(12)]
    assert context["stores"] == [f"store-{kind:02d}" for kind in range(12)]


def test_event_types_and_modules_are_read_through_their_index_not_a_distinct_over_every_row(admin_client):
    notify(20, kinds=4)

    menus = [sql for sql in page_queries(admin_client) if "WITH RECURSIVE" in sql]

    assert len(menus) == 2
    assert all("DISTINCT" not in sql.upper() for sql in menus)


def test_stores_are_read_from_the_newest_notifications_and_a_selected_one_stays_listed(admin_client):
    notify(3, kinds=3)  # store-00, store-01, store-02, oldest first

    assert inbox.store_choices(window=2) == ["store-01", "store-02"]
    assert inbox.store_choices(window=2, selected=["store-00"]) == ["store-00", "store-01", "store-02"]
    assert admin_client.get(INBOX, {"store": "store-09"}).context["stores"] == [
        "store-00", "store-01", "store-02", "store-09",
    ]  # fmt: skip


def test_a_menu_is_capped_and_a_column_without_an_index_is_refused():
    notify(6, kinds=6)

    assert inbox.choices("event_type", limit=4) == ["type.00", "type.01", "type.02", "type.03"]
    with pytest.raises(ValueError, match="'title' is not one of event_type, source_module"):
        inbox.choices("title")
