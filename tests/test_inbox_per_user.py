"""Each staff user has their own inbox: read marks, badge, "mark all read", saved filters; texts in their language."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from notifications.models import InboxFilter, NotificationRead
from tests.factories.notifications import NotificationFactory
from tests.shop.factories import StoreFactory
from tests.support.order_events import publish_order_event

pytestmark = pytest.mark.django_db
INBOX = reverse("notifications:list")


@pytest.fixture
def olga(django_user_model):
    return django_user_model.objects.create_user("olga", password="pw-olga-123", is_staff=True)


@pytest.fixture
def ivan(django_user_model):
    return django_user_model.objects.create_user("ivan", password="pw-ivan-123", is_staff=True)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def unread_ids(client: Client) -> list[int]:
    return [n.pk for n in client.get(INBOX, {"unread": "1"}).context["page"].object_list]


def test_reading_a_notification_marks_it_read_for_me_only(olga, ivan):
    one, other = NotificationFactory(), NotificationFactory()
    olga_client, ivan_client = logged_in(olga), logged_in(ivan)

    olga_client.get(reverse("notifications:detail", args=[one.pk]))

    assert unread_ids(olga_client) == [other.pk]
    assert unread_ids(ivan_client) == [other.pk, one.pk]
    assert olga_client.get(reverse("notifications:unread")).json()["unread"] == 1
    assert ivan_client.get(reverse("notifications:unread")).json()["unread"] == 2


def test_mark_all_read_marks_mine_and_leaves_everyone_elses(olga, ivan):
    NotificationFactory.create_batch(3)
    olga_client, ivan_client = logged_in(olga), logged_in(ivan)

    olga_client.post(reverse("notifications:mark_all_read"))

    assert NotificationRead.objects.filter(user=olga).count() == 3
    assert NotificationRead.objects.filter(user=ivan).count() == 0
    assert olga_client.get(reverse("notifications:unread")).json()["unread"] == 0
    assert ivan_client.get(reverse("notifications:unread")).json()["unread"] == 3


def test_the_detail_page_names_who_read_it(olga, ivan):
    notification = NotificationFactory()
    logged_in(ivan).get(reverse("notifications:detail", args=[notification.pk]))

    page = logged_in(olga).get(reverse("notifications:detail", args=[notification.pk])).content.decode()

    readers = page.split('id="readers">')[1].split("</dd>")[0]
    assert readers.index("ivan") < readers.index("olga")


def test_saved_filters_are_mine_and_bring_back_level_event_types_and_stores(olga, ivan):
    wanted = NotificationFactory(level="error", event_type="shop.order.failed", data={"store": "north"})
    NotificationFactory(level="error", event_type="shop.order.failed", data={"store": "south"})
    NotificationFactory(level="info", event_type="shop.order.new", data={"store": "north"})
    also = NotificationFactory(level="error", event_type="shop.order.cancelled", data={"store": "north"})
    olga_client = logged_in(olga)

    response = olga_client.post(
        reverse("notifications:save_filter"),
        {"name": "North failures", "level": "error", "event_type": ["shop.order.failed", "shop.order.cancelled"],
         "store": "north"},
    )  # fmt: skip

    saved = InboxFilter.objects.get()
    assert (saved.user, saved.name) == (olga, "North failures")
    assert saved.filters == {
        "level": "error", "event_type": ["shop.order.cancelled", "shop.order.failed"], "store": ["north"]
    }  # fmt: skip
    page = olga_client.get(response["Location"])
    assert {n.pk for n in page.context["page"].object_list} == {wanted.pk, also.pk}
    assert "North failures" in olga_client.get(INBOX).content.decode()
    assert "North failures" not in logged_in(ivan).get(INBOX).content.decode()


def test_nobody_deletes_anothers_saved_filter(olga, ivan):
    saved = InboxFilter.objects.create(user=olga, name="Mine", filters={"level": "error"})

    assert logged_in(ivan).post(reverse("notifications:delete_filter", args=[saved.pk])).status_code == 404
    assert logged_in(olga).post(reverse("notifications:delete_filter", args=[saved.pk])).status_code == 302
    assert not InboxFilter.objects.exists()


def test_saving_the_same_name_again_replaces_that_filter(olga):
    client = logged_in(olga)
    client.post(reverse("notifications:save_filter"), {"name": "Errors", "level": "error"})
    client.post(reverse("notifications:save_filter"), {"name": "Errors", "level": "warning"})

    assert list(InboxFilter.objects.values_list("name", "filters")) == [("Errors", {"level": "warning"})]


def test_the_inbox_shows_each_order_event_in_the_viewers_language(olga):
    publish_order_event(StoreFactory(name="Ohana"))
    client = logged_in(olga)

    russian = client.get(INBOX, headers={"Accept-Language": "ru"})
    english = client.get(INBOX, headers={"Accept-Language": "en"})

    [shown_ru] = russian.context["page"].object_list
    [shown_en] = english.context["page"].object_list
    assert shown_ru.title == "Новый заказ #1042 на 7\xa0057,00\xa0₽"
    assert shown_en.title == "New order #1042 for RUB7,057.00"
    assert "Customer: Анна Смирнова" in english.content.decode()
    detail = client.get(reverse("notifications:detail", args=[shown_en.pk]), headers={"Accept-Language": "en"})
    assert "<h1>New order #1042 for RUB7,057.00</h1>" in detail.content.decode()
