"""Every text of the dashboard and probes has its Russian translation, and the committed .mo files match the .po."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from django.conf import settings

from tests.test_notification_translations import po_entries

ROOT = Path(settings.BASE_DIR)
CATALOGS = [ROOT / "adolf" / "locale" / "ru" / "LC_MESSAGES", ROOT / "locale" / "ru" / "LC_MESSAGES"]


@pytest.mark.parametrize("catalog", CATALOGS, ids=["adolf", "project"])
def test_every_text_is_translated_and_compiled(catalog, monkeypatch):
    monkeypatch.setattr("tests.test_notification_translations.CATALOG", catalog)
    entries = po_entries()
    with (catalog / "django.mo").open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)

    assert entries
    assert [msgid for msgid, texts in entries.items() if not all(texts)] == []
    for msgid, texts in entries.items():
        assert translations.gettext(msgid) == texts[0], msgid
