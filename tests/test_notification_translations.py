"""Every text of the notifications app has its Russian translation, and the committed .mo matches the .po."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

from django.conf import settings

CATALOG = Path(settings.BASE_DIR) / "notifications" / "locale" / "ru" / "LC_MESSAGES"


def po_entries() -> dict[str, list[str]]:
    """Read django.po into {msgid: [msgstr, ...]} (plural entries have several msgstr)."""
    entries: dict[str, list[str]] = {}
    for block in (CATALOG / "django.po").read_text(encoding="utf-8").split("\n\n")[1:]:
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
            entries[parts["msgid"]] = [value for name, value in sorted(parts.items()) if name.startswith("msgstr")]
    return entries


def test_every_text_is_translated():
    untranslated = [msgid for msgid, translations in po_entries().items() if not all(translations)]
    assert untranslated == []


def test_the_compiled_catalog_is_in_step_with_the_po_file():
    with (CATALOG / "django.mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)
    for msgid, translations in po_entries().items():
        if len(translations) == 1:
            assert catalog.gettext(msgid) == translations[0], msgid
