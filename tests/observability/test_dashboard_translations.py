"""Every text of the dashboard and probes has its Russian translation, and the committed .mo files match the .po."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CATALOGS = [ROOT / "adolf" / "locale" / "ru" / "LC_MESSAGES", ROOT / "locale" / "ru" / "LC_MESSAGES"]


def po_entries(catalog: Path) -> dict[tuple[str, str], str]:
    """Read django.po into {(context, msgid): msgstr}."""
    entries = {}
    for block in (catalog / "django.po").read_text(encoding="utf-8").split("\n\n")[1:]:
        parts: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            if not line.startswith('"'):
                key, _, line = line.partition(" ")
                parts[key] = ""
            parts[key] += ast.literal_eval(line)
        if "msgid" in parts:
            entries[parts.get("msgctxt", ""), parts["msgid"]] = parts["msgstr"]
    return entries


@pytest.mark.parametrize("catalog", CATALOGS, ids=["adolf", "project"])
def test_every_text_is_translated_and_compiled(catalog):
    entries = po_entries(catalog)
    with (catalog / "django.mo").open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)

    assert entries
    assert [msgid for msgid, text in entries.items() if not text] == []
    for (context, msgid), text in entries.items():
        found = translations.pgettext(context, msgid) if context else translations.gettext(msgid)
        assert found == text, msgid
