"""The status dashboard in a real browser (Debian's chromium), in Russian: the store table and the two hourly charts."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.observability.dashboard_data import healthy_and_failing_stores
from tests.support.browser import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("olga", password="pw-olga-123", is_staff=True)


def test_staff_see_store_health_and_events_per_hour_for_a_day_and_a_week(browser, staff, live_server, tmp_path):
    healthy_and_failing_stores()
    page = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900}).new_page()

    log_in(page, live_server.url, "/dashboard/", "olga", "pw-olga-123")

    rows = page.locator("#stores tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator('tr[data-store="broken"] td.status-failing')).to_have_text("сбои")
    expect(page.locator('tr[data-store="broken"] td.streak')).to_have_text("3")
    expect(page.locator('tr[data-store="main"] td.status-ok')).to_have_text("в порядке")
    day, week = page.locator("#chart-1 svg"), page.locator("#chart-2 svg")
    expect(day.locator("rect")).to_have_count(24)
    expect(week.locator("rect")).to_have_count(168)
    counts = [int(n) for n in day.locator("rect").evaluate_all("bars => bars.map(b => b.dataset.count)")]
    assert sum(counts) == 6
    # The tallest bar of the day is drawn full height (Russian decimal commas would break the SVG).
    tallest = day.locator("rect[data-count='4']")
    assert tallest.bounding_box()["height"] > 50
    page.screenshot(path=tmp_path / "dashboard.png", full_page=True)
