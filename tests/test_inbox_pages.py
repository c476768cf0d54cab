"""The staff inbox at /notifications/: newest first, filters, detail, mark read, the unread badge, two languages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification, NotificationRead
from tests.factories.notifications import NotificationFactory

pytestmark = pytest.mark.django_db
INBOX = reverse("notifications:list")


@pytest.fixture
def staff(client, django_user_model):
    user = django_user_model.objects.create_user("olga", password="pw-olga-123", is_staff=True)
    client.force_login(user)
    return user


def shown(response) -> list[int]:
    return [n.pk for n in response.context["page"].object_list]


def read_by(user, notification: Notification) -> Notification:
    NotificationRead.objects.create(notification=notification, user=user)
    return notification


def is_read(notification: Notification, user) -> bool:
    return NotificationRead.objects.filter(notification=notification, user=user).exists()


def test_anonymous_visitors_and_non_staff_are_sent_to_the_login_page(client, django_user_model):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    client.force_login(django_user_model.objects.create_user("buyer", password="pw"))
    assert client.get(INBOX).status_code == 302
    assert client.get(reverse("notifications:unread")).status_code == 302


def test_the_inbox_lists_the_newest_first(client, staff):
    older = NotificationFactory(created=timezone.now() - timedelta(hours=2))
    newer = NotificationFactory(created=timezone.now())
    assert shown(client.get(INBOX)) == [newer.pk, older.pk]


def test_filters_narrow_the_list_by_level_event_type_module_and_unread(client, staff):
    info = NotificationFactory()
    error = NotificationFactory(level="error", event_type="shop.order.failed")
    auth = NotificationFactory(source_module="auth", event_type="auth.user.locked", level="warning")
    read = read_by(staff, NotificationFactory())

    assert shown(client.get(INBOX, {"level": "error"})) == [error.pk]
    assert shown(client.get(INBOX, {"event_type": "auth.user.locked"})) == [auth.pk]
    assert set(shown(client.get(INBOX, {"module": "shop"}))) == {info.pk, error.pk, read.pk}
    assert read.pk not in shown(client.get(INBOX, {"unread": "1"}))
    assert set(shown(client.get(INBOX, {"level": "bogus"}))) == {info.pk, error.pk, auth.pk, read.pk}


def test_opening_a_notification_shows_it_whole_and_marks_it_read(client, staff):
    notification = NotificationFactory(message="Клиент отменил заказ #9", data={"store": "main", "total": "99.00"})
    page = client.get(reverse("notifications:detail", args=[notification.pk])).content.decode()
    assert "Клиент отменил заказ #9" in page
    assert "99.00" in page
    assert list(NotificationRead.objects.values_list("notification", "user")) == [(notification.pk, staff.pk)]


def test_mark_read_marks_one_and_returns_to_the_same_filtered_page(client, staff):
    one, other = NotificationFactory(), NotificationFactory()
    response = client.post(reverse("notifications:mark_read", args=[one.pk]), {"next": f"{INBOX}?level=info"})
    assert response["Location"] == f"{INBOX}?level=info"
    assert is_read(one, staff)
    assert not is_read(other, staff)


def test_mark_read_refuses_to_redirect_to_another_site(client, staff):
    one = NotificationFactory()
    response = client.post(reverse("notifications:mark_read", args=[one.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == INBOX


def test_mark_all_read_marks_what_the_filters_show(client, staff):
    info, error = NotificationFactory(), NotificationFactory(level="error")
    client.post(reverse("notifications:mark_all_read"), {"level": "error"})
    assert is_read(error, staff)
    assert not is_read(info, staff)
    client.post(reverse("notifications:mark_all_read"))
    assert NotificationRead.objects.filter(user=staff).count() == 2


def test_marking_read_needs_a_post(client, staff):
    one = NotificationFactory()
    assert client.get(reverse("notifications:mark_read", args=[one.pk])).status_code == 405
    assert client.get(reverse("notifications:mark_all_read")).status_code == 405


def test_the_badge_endpoint_counts_unread_and_names_the_newest(client, staff):
    read_by(staff, NotificationFactory())
    NotificationFactory()
    newest = NotificationFactory()
    response = client.get(reverse("notifications:unread"))
    assert response.json() == {"unread": 2, "latest_id": newest.pk}
    assert "no-cache" in response["Cache-Control"]


def test_the_inbox_speaks_russian_by_default_and_english_on_request(client, staff):
    NotificationFactory()
    assert "Уведомления" in client.get(INBOX).content.decode()
    english = client.get(INBOX, headers={"Accept-Language": "en"}).content.decode()
    assert "Notifications" in english
    assert "Mark all read" in english


def test_a_long_inbox_is_paged(client, staff):
    NotificationFactory.create_batch(30)
    first = client.get(INBOX)
    assert len(shown(first)) == 25
    assert len(shown(client.get(INBOX, {"page": 2}))) == 5
