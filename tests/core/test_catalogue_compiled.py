"""The compiled English catalogue (django.mo) says what django.po says.

The site reads only the .mo. A .po merged or edited without compiling (Django's compilemessages skips a .po
older than its .mo) would leave new messages in Japanese on English pages without any other test noticing.
"""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import chiiki

LOCALE = Path(chiiki.__file__).parent / "locale" / "en" / "LC_MESSAGES"


def _po_entries() -> list[tuple[str, str, str | None, list[str]]]:
    """(context, msgid, msgid_plural, msgstrs) of every translated entry (the file is kept with --no-wrap)."""
    entries = []
    for block in (LOCALE / "django.po").read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        plurals: list[str] = []
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            key, _, value = line.partition(" ")
            if not value.startswith('"'):
                continue
            text = ast.literal_eval(value)
            if key.startswith("msgstr["):
                plurals.append(text)
            else:
                fields[key] = text
        msgid = fields.get("msgid")
        strings = plurals or [fields.get("msgstr", "")]
        if msgid and all(strings):
            entries.append((fields.get("msgctxt", ""), msgid, fields.get("msgid_plural"), strings))
    return entries


def test_every_translated_message_of_the_po_is_in_the_compiled_catalogue() -> None:
    with (LOCALE / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    entries = _po_entries()
    assert len(entries) > 2000
    stale = []
    for context, msgid, plural, strings in entries:
        if plural is not None:
            found = [catalogue.ngettext(msgid, plural, 1), catalogue.ngettext(msgid, plural, 2)]
        elif context:
            found = [catalogue.pgettext(context, msgid)]
        else:
            found = [catalogue.gettext(msgid)]
        if found != strings:
            stale.append(msgid)
    assert not stale, f"django.mo is older than django.po; run compilemessages: {stale[:5]}"
