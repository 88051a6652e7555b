"""The Digital Agency's データ項目定義書 workbooks, read in their published layout and turned into schemas.

A definition book has one sheet per dataset named like `13.公衆トイレ一覧`; somewhere in its first rows a header
row holds 項目No., 項目名, 区分 (◎ required, ○ or 〇 recommended, blank optional), 説明, 形式 and 記入例.
`read_book` reads every such sheet; `schema_from_book` makes the Table Schema of one sheet, keeping what the
schema in use already knows about a column of the same name (its checks and constraints); `diff_schemas` says
what changed. Nothing here touches the database: installing a version is `opendata.actions.install_book`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chiiki.opendata.engine._schemas import StandardSchema

_SHEET = re.compile(r"^\s*(\d{1,2})\s*[.．]\s*(.+?)\s*$")
_LEVELS = {"◎": "required", "○": "recommended", "〇": "recommended", "◯": "recommended"}
_HEADERS = {"項目no.": "no", "項目no": "no", "項目名": "name", "区分": "level", "説明": "description"}
_HEADERS |= {"形式": "format", "記入例": "example"}


class BookError(ValueError):
    """A workbook that is not a definition book in the published layout (says which sheet and why)."""


@dataclass(frozen=True)
class BookItem:
    """One row of a sheet: a column of the dataset."""

    number: str
    name: str
    level: str  # "required", "recommended" or "optional"
    description: str = ""
    format: str = ""
    example: str = ""


@dataclass(frozen=True)
class BookSheet:
    """One dataset of the book: its number, title and columns in the book's order."""

    number: str
    title: str
    items: tuple[BookItem, ...]


@dataclass
class SchemaDiff:
    """What a book's sheet changes against the schema in use."""

    kind: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    levels: list[tuple[str, str, str]] = field(default_factory=list)  # (column, before, after)
    reordered: bool = False

    @property
    def changed(self) -> bool:
        """True when the book differs from the schema in use."""
        return bool(self.added or self.removed or self.levels or self.reordered)

    def to_text(self) -> str:
        """One line per change, in Japanese."""
        if not self.changed:
            return f"{self.kind}: 変更なし"
        lines = [f"{self.kind}:"]
        lines += [f"  + {name}" for name in self.added]
        lines += [f"  - {name}" for name in self.removed]
        lines += [f"  ~ {name}: {before} → {after}" for name, before, after in self.levels]
        if self.reordered:
            lines.append("  ~ 項目の順序が変わりました")
        return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip() if not isinstance(value, str) else value.strip()


def _header_key(value: Any) -> str:
    return unicodedata.normalize("NFKC", _cell(value)).replace(" ", "").lower()


def _level(mark: str) -> str:
    return _LEVELS.get(mark.strip()[:1], "optional") if mark.strip() else "optional"


def _header(rows: list[tuple[Any, ...]]) -> tuple[int, dict[str, int]] | None:
    """The index of the 項目No./項目名 header row among the first rows, and where each known column is."""
    for at, row in enumerate(rows[:30]):
        columns = {_HEADERS[k]: i for i, cell in enumerate(row) if (k := _header_key(cell)) in _HEADERS}
        if "no" in columns and "name" in columns:
            return at, columns
    return None


def _sheet(title: str, rows: list[tuple[Any, ...]]) -> BookSheet | None:
    """The dataset of one sheet, or None when the sheet has no 項目No./項目名 header (notes, cover)."""
    match = _SHEET.match(unicodedata.normalize("NFKC", title))
    header = _header(rows) if match is not None else None
    if match is None or header is None:
        return None
    at, columns = header
    if "level" not in columns:
        raise BookError(f"シート「{title}」: 見出しに「区分」がありません / no 区分 column")
    items: list[BookItem] = []
    seen: set[str] = set()
    for offset, row in enumerate(rows[at + 1 :], start=at + 2):
        cells = {key: _cell(row[i]) if i < len(row) else "" for key, i in columns.items()}
        number, name = cells.get("no", ""), cells.get("name", "")
        if not name or not number.isdigit():
            continue  # a blank line, notes under the table, or a continuation line of a description
        if name in seen:
            raise BookError(f"シート「{title}」{offset} 行目: 項目名「{name}」が重複しています")
        seen.add(name)
        items.append(
            BookItem(
                number,
                name,
                _level(cells.get("level", "")),
                cells.get("description", ""),
                cells.get("format", ""),
                cells.get("example", ""),
            )
        )
    if not items:
        raise BookError(f"シート「{title}」: 項目がありません / no items under the header")
    return BookSheet(match.group(1).zfill(2), match.group(2), tuple(items))


def read_book(path: str | Path) -> list[BookSheet]:
    """Every dataset sheet of a definition book; BookError when there is none or a sheet is malformed."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # zipfile/openpyxl raise many kinds for a file that is not a workbook
        raise BookError(f"定義書を開けません: {type(error).__name__}: {error}") from None
    try:
        sheets = [
            _sheet(ws.title, [tuple(r) for r in ws.iter_rows(values_only=True)]) for ws in book.worksheets
        ]
    finally:
        book.close()
    found = [s for s in sheets if s is not None]
    if not found:
        raise BookError(
            "「13.公衆トイレ一覧」のような名前で、項目No./項目名/区分 の見出しがあるシートがありません"
        )
    return found


# A book's 形式 -> the Table Schema type and check of a column the schema in use does not know yet.
def _type_of(item: BookItem) -> tuple[str, str | None]:
    text = item.format
    if item.name in ("緯度", "経度"):
        return "number", "latitude" if item.name == "緯度" else "longitude"
    if "日付" in text or "年月日" in text:
        return "date", "date"
    if "数値" in text or "数字" in text or "整数" in text:
        return ("integer", "integer") if "小数" not in text else ("number", "number")
    return "string", None


def schema_from_book(
    sheet: BookSheet, current: StandardSchema, *, book_file: str, book_date: str, version: int
) -> dict[str, Any]:
    """The Table Schema of `sheet`: the book's columns, order and levels; checks kept from `current`."""
    known = {f["name"]: f for f in current.raw["fields"]}
    fields: list[dict[str, Any]] = []
    for item in sheet.items:
        if item.name in known:
            spec = {**known[item.name], "x-chiiki": {**known[item.name].get("x-chiiki", {})}}
        else:
            kind, check = _type_of(item)
            spec = {"name": item.name, "type": kind, "x-chiiki": {"check": check} if check else {}}
            if kind == "date":
                spec["format"] = "default"
        spec["x-chiiki"]["level"] = item.level
        constraints = {k: v for k, v in spec.get("constraints", {}).items() if k != "required"}
        if item.level == "required":
            constraints["required"] = True
        if constraints:
            spec["constraints"] = constraints
        else:
            spec.pop("constraints", None)
        if item.description:
            spec["description"] = item.description
        fields.append(spec)
    extra = {
        **current.raw.get("x-chiiki", {}),
        "book_file": book_file,
        "book_date": book_date,
        "version": version,
    }
    return {**current.raw, "fields": fields, "x-chiiki": extra}


def diff_schemas(kind: str, before: StandardSchema, after: dict[str, Any]) -> SchemaDiff:
    """The changes from the schema in use to a book's schema."""
    old = [f.name for f in before.fields]
    new = [f["name"] for f in after["fields"]]
    diff = SchemaDiff(kind)
    diff.added = [n for n in new if n not in old]
    diff.removed = [n for n in old if n not in new]
    levels = {f.name: f.level for f in before.fields}
    for spec in after["fields"]:
        level = spec.get("x-chiiki", {}).get("level", "optional")
        if spec["name"] in levels and levels[spec["name"]] != level:
            diff.levels.append((spec["name"], levels[spec["name"]], level))
    common_old = [n for n in old if n in new]
    common_new = [n for n in new if n in old]
    diff.reordered = common_old != common_new
    return diff
