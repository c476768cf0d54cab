"""The channel form in a real browser shows only the settings of the chosen kind."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_choosing_a_kind_shows_its_settings_and_hides_the_others(browser, django_user_model, live_server, tmp_path):
    django_user_model.objects.create_superuser("root", password="pw-root-123")
    page = browser.new_context(locale="en-US").new_page()
    log_in(page, live_server.url, "/admin/notifications/channel/add/", "root", "pw-root-123")

    page.select_option("#id_kind", "telegram")
    expect(page.locator("#id_telegram_bot_token")).to_be_visible()
    expect(page.locator("#id_webhook_url")).to_be_hidden()
    expect(page.locator("#id_email_recipients")).to_be_hidden()

    page.select_option("#id_kind", "webhook")
    expect(page.locator("#id_webhook_secret")).to_be_visible()
    expect(page.locator("#id_telegram_bot_token")).to_be_hidden()
    page.screenshot(path=tmp_path / "channel-webhook.png", full_page=True)
