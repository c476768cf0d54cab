"""The status dashboard in a real browser (Debian's chromium), in Russian and in English: every panel at a glance."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from tests.factories.notifications import ChannelFactory, DeliveryFactory
from tests.observability.dashboard_data import healthy_and_failing_stores
from tests.support.browser import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff(django_user_model):
    user = django_user_model.objects.create_user("olga", password="pw-olga-123", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_delivery"))
    return user


@pytest.fixture
def busy_day():
    healthy_and_failing_stores()
    duty = ChannelFactory(name="Telegram duty")
    for status in ("sent", "sent", "failed", "dead"):
        DeliveryFactory(channel=duty, status=status)
    return duty


def test_staff_see_store_health_and_events_per_hour_for_a_day_and_a_week(
    browser, staff, busy_day, live_server, tmp_path
):
    page = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900}).new_page()

    log_in(page, live_server.url, "/dashboard/", "olga", "pw-olga-123")

    rows = page.locator("#stores tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator('tr[data-store="broken"] td.status-failing')).to_have_text("сбои")
    expect(page.locator('tr[data-store="broken"] td.streak')).to_have_text("3")
    expect(page.locator('tr[data-store="main"] td.status-ok')).to_have_text("в порядке")
    expect(page.locator("#panel-stores")).to_contain_text("отложенные заказы")
    day, week = page.locator("#chart-1 svg"), page.locator("#chart-2 svg")
    expect(day.locator("rect")).to_have_count(24)
    expect(week.locator("rect")).to_have_count(168)
    counts = [int(n) for n in day.locator("rect").evaluate_all("bars => bars.map(b => b.dataset.count)")]
    assert sum(counts) == 6
    # The tallest bar of the day is drawn full height (Russian decimal commas would break the SVG).
    tallest = day.locator("rect[data-count='4']")
    assert tallest.bounding_box()["height"] > 50
    expect(page.locator("#panel-broker h2")).to_have_text("Очереди и обработчики")
    expect(page.locator("#panel-deliveries h2").first).to_have_text("Доставки по каналам за последние 24 часа")
    expect(page.locator("#panel-services h2")).to_have_text("Задачи микросервисов за последние 24 часа")
    expect(page.locator("#site-name")).to_have_text("ADOLF")
    page.screenshot(path=tmp_path / "dashboard-ru.png", full_page=True)


def test_the_dashboard_reads_in_english_with_failed_deliveries_one_click_away(
    browser, staff, busy_day, live_server, tmp_path
):
    page = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900}).new_page()
    log_in(page, live_server.url, "/dashboard/", "olga", "pw-olga-123")

    duty = page.locator(f'#deliveries tr[data-channel="{busy_day.pk}"]')
    expect(duty.locator('td[data-outcome="sent"]')).to_have_text("2")
    expect(page.locator("#panel-services h2")).to_have_text("Microservice tasks, last 24 hours")
    expect(page.locator('#services tr[data-service="auth"]')).to_contain_text("not registered")
    page.screenshot(path=tmp_path / "dashboard-en.png", full_page=True)

    duty.locator('td[data-outcome="failed"] a').click()

    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list tbody tr")).to_contain_text("Failed")
