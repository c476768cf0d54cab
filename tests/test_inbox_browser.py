"""The inbox in a real browser (Debian's chromium): log in, see a new one arrive, filter, mark read."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from notifications.publish import publish
from tests.factories.notifications import NotificationFactory
from tests.support.browser import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("olga", password="pw-olga-123", is_staff=True)


def test_staff_log_in_see_a_new_notification_arrive_filter_and_mark_read(
    browser, staff, live_server, settings, tmp_path
):
    settings.NOTIFICATION_INBOX_REFRESH_SECONDS = 1
    NotificationFactory(title="Новый заказ #1001", level="info")
    NotificationFactory(title="Ошибка оплаты #1002", level="error", event_type="shop.order.failed")
    page = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 800}).new_page()

    log_in(page, live_server.url, "/notifications/", "olga", "pw-olga-123")
    badge = page.locator("#unread-badge")
    expect(page.locator("h1")).to_have_text("Уведомления")
    expect(badge).to_have_text("2")

    publish("shop.order.cancelled", "Заказ отменён #1003", "Клиент отменил заказ", "shop", "main:1003", "warning")
    expect(badge).to_have_text("3", timeout=15_000)  # refreshed without a reload
    page.click("#show-new")
    expect(page.locator("#notification-list li").first).to_contain_text("Заказ отменён #1003")
    page.screenshot(path=tmp_path / "inbox-desktop.png", full_page=True)

    page.select_option("select[name=level]", "error")
    page.click("form.filters button[type=submit]")
    items = page.locator("#notification-list li")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("Ошибка оплаты #1002")

    items.first.locator("button.mark-read").click()
    expect(badge).to_have_text("2")
    expect(page.locator("#notification-list li.unread")).to_have_count(0)

    page.goto(f"{live_server.url}/notifications/")
    page.click("#mark-all-read")
    expect(badge).to_have_text("0")
    expect(page.locator("#notification-list li.unread")).to_have_count(0)


def test_the_inbox_fits_a_phone_screen_in_english(browser, staff, live_server, tmp_path):
    NotificationFactory.create_batch(3)
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    log_in(page, live_server.url, "/notifications/", "olga", "pw-olga-123")

    expect(page.locator("h1")).to_have_text("Notifications")
    # Nothing is wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=tmp_path / "inbox-phone.png", full_page=True)

    page.locator("#notification-list li a.item-title").first.click()
    expect(page.locator("h1")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=tmp_path / "detail-phone.png", full_page=True)
