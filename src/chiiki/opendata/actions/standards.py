"""The standard datasets' schemas as data an operator loads: a definition book installed as new versions.

`preview_book` reads a データ項目定義書 workbook and says what it changes against the schemas in use, writing
nothing; `install_book` installs every changed dataset as a new `StandardVersion` (book file name and date
recorded), audited. Earlier versions stay: a file imported before keeps its report, and can be checked again
against the version it was made for (`queries.standard_schema(kind, version)`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.opendata import queries
from chiiki.opendata.engine import BookSheet, SchemaDiff, diff_schemas, load_schemas, schema_from_book
from chiiki.opendata.engine import read_book as _read_book
from chiiki.opendata.models import StandardVersion

_DATED = re.compile(r"^(\d{4})(\d{2})(\d{2})")


@dataclass(frozen=True)
class BookChange:
    """One sheet of a book against the schema in use: the kind, the diff, and the version it would become."""

    sheet: BookSheet
    kind: str
    diff: SchemaDiff
    version: int
    schema: dict[str, object]


def book_date(name: str) -> str:
    """The date a book's published file name starts with (20260801_… → 2026-08-01), "" when it has none."""
    match = _DATED.match(Path(name).name)
    return f"{match.group(1)}-{match.group(2)}-{match.group(3)}" if match else ""


def _kind_of(sheet: BookSheet) -> str | None:
    schemas = load_schemas()
    for schema in schemas.values():
        if schema.title == sheet.title or sheet.title in schema.aliases:
            return schema.id
    for schema in schemas.values():
        if schema.number == sheet.number and sheet.title.removesuffix("一覧") in schema.title:
            return schema.id
    return None


def preview_book(path: str | Path, *, book_file: str = "") -> tuple[list[BookChange], list[str]]:
    """What the book would install (changed or not), and the titles of sheets no standard dataset matches."""
    name = book_file or Path(path).name
    changes: list[BookChange] = []
    unknown: list[str] = []
    for sheet in _read_book(path):
        kind = _kind_of(sheet)
        if kind is None:
            unknown.append(f"{sheet.number}.{sheet.title}")
            continue
        current, version = queries.standard_in_use(kind)
        schema = schema_from_book(
            sheet, current, book_file=name, book_date=book_date(name), version=version + 1
        )
        changes.append(BookChange(sheet, kind, diff_schemas(kind, current, schema), version + 1, schema))
    return changes, unknown


@transaction.atomic
def install_book(path: str | Path, *, by: Actor, book_file: str = "") -> list[StandardVersion]:
    """Install each dataset the book changes as a new version; BookError (nothing written) for a bad book."""
    name = book_file or Path(path).name
    changes, _unknown = preview_book(path, book_file=name)
    installed = []
    for change in changes:
        if not change.diff.changed:
            continue
        row = StandardVersion.objects.create(
            kind=change.kind,
            version=change.version,
            book_file=name,
            book_date=book_date(name),
            schema=change.schema,
        )
        audit.record(
            "opendata.standard_installed",
            by=by,
            object_type="standard_version",
            object_id=str(row.pk),
            detail={
                "kind": change.kind,
                "version": change.version,
                "book": name,
                "added": change.diff.added,
                "removed": change.diff.removed,
            },
        )
        installed.append(row)
    return installed
