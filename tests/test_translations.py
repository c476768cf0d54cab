"""Every catalog of the project is wholly translated into Russian, and each committed .mo matches its .po."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# The project's own catalog (locale/) and each app's (<app>/locale/).
CATALOGS = sorted(
    path.parent for pattern in ("locale", "*/locale") for path in ROOT.glob(f"{pattern}/ru/LC_MESSAGES/django.po")
)


def name(catalog: Path) -> str:
    return str(catalog.relative_to(ROOT).parents[2])


def po_entries(catalog: Path) -> dict[tuple[str, str], list[str]]:
    """Read django.po into {(context, msgid): [msgstr, ...]} (plural entries have several msgstr)."""
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
            translations = [value for name, value in sorted(parts.items()) if name.startswith("msgstr")]
            entries[parts.get("msgctxt", ""), parts["msgid"]] = translations
    return entries


def test_every_app_with_texts_has_a_catalog():
    assert {name(catalog) for catalog in CATALOGS} >= {".", "adolf", "notifications", "operations", "shop"}


@pytest.mark.parametrize("catalog", CATALOGS, ids=name)
def test_every_text_is_translated_and_compiled(catalog):
    entries = po_entries(catalog)
    with (catalog / "django.mo").open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)

    assert entries
    assert [msgid for msgid, texts in entries.items() if not all(texts)] == []
    for (context, msgid), texts in entries.items():
        if len(texts) == 1:
            found = translations.pgettext(context, msgid) if context else translations.gettext(msgid)
            assert found == texts[0], msgid
