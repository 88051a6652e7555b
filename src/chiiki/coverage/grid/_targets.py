"""Coverage targets as data an operator loads: a CSV layout, parsing with row/column messages, a diff.

Layout (UTF-8 or Shift_JIS, comma or tab; one row per area, technology and fiscal year):

    area_code        "00" for Japan, a 2-digit prefecture code, or a 6-digit 全国地方公共団体コード
    area_name        as people say it (全国, 広島県, 緑川市)
    technology       4G or 5G
    fiscal_year      the fiscal year (年度) by whose end the target is to be reached, e.g. 2030
    target_percent   population coverage aimed at, 0–100
    published_percent  the figure the Ministry published for that area (empty when none)
    published_as_of  the end of the fiscal year the published figure describes, e.g. 2023 (empty when none)
    source           where the figures come from (document, page)
    verified         yes when the figures were checked against the source, no otherwise
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from chiiki.tables import TableReadError, read_delimited

TARGET_COLUMNS = (
    "area_code",
    "area_name",
    "technology",
    "fiscal_year",
    "target_percent",
    "published_percent",
    "published_as_of",
    "source",
    "verified",
)
NATIONAL = "00"


class TargetFileError(ValueError):
    """A target table refused as a whole; the message lists each row and column with the reason."""


@dataclass(frozen=True, slots=True)
class TargetRow:
    """One target: an area, a technology, a fiscal year, and the published figure if any."""

    area_code: str
    area_name: str
    technology: str
    fiscal_year: int
    target_percent: float
    published_percent: float | None
    published_as_of: int | None
    source: str
    verified: bool

    @property
    def key(self) -> tuple[str, str, int]:
        """What identifies the row across versions: area, technology, year."""
        return (self.area_code, self.technology, self.fiscal_year)

    def as_dict(self) -> dict[str, object]:
        """The row as plain values (for the audit record and the diff)."""
        return asdict(self)


def _percent(text: str, where: str, problems: list[str], *, optional: bool = False) -> float | None:
    if not text and optional:
        return None
    try:
        value = float(text)
    except ValueError:
        problems.append(f"{where}: 「{text}」は 0〜100 の数ではありません")
        return None
    if not 0 <= value <= 100:
        problems.append(f"{where}: {value} は 0〜100 の範囲外です")
    return value


def _year(text: str, where: str, problems: list[str], *, optional: bool = False) -> int | None:
    if not text and optional:
        return None
    if not re.fullmatch(r"20[0-9]{2}", text):
        problems.append(f"{where}: 「{text}」は西暦の年度ではありません(例: 2030)")
        return None
    return int(text)


def _row(number: int, cells: dict[str, str], problems: list[str]) -> TargetRow | None:
    def where(column: str) -> str:
        return f"{number} 行目の {column} 列"

    before = len(problems)
    code = cells["area_code"]
    if not re.fullmatch(r"[0-9]{2}|[0-9]{6}", code):
        problems.append(
            f"{where('area_code')}: 「{code}」は 00・都道府県コード(2桁)・団体コード(6桁)のいずれでもありません"
        )
    if cells["technology"] not in ("4G", "5G"):
        problems.append(f"{where('technology')}: 「{cells['technology']}」は 4G か 5G です")
    if cells["verified"].lower() not in ("yes", "no"):
        problems.append(f"{where('verified')}: 「{cells['verified']}」は yes か no です")
    year = _year(cells["fiscal_year"], where("fiscal_year"), problems)
    target = _percent(cells["target_percent"], where("target_percent"), problems)
    published = _percent(cells["published_percent"], where("published_percent"), problems, optional=True)
    as_of = _year(cells["published_as_of"], where("published_as_of"), problems, optional=True)
    if len(problems) > before or year is None or target is None:
        return None
    return TargetRow(
        code,
        cells["area_name"],
        cells["technology"],
        year,
        target,
        published,
        as_of,
        cells["source"],
        cells["verified"].lower() == "yes",
    )


def parse_targets(data: bytes) -> list[TargetRow]:
    """Read a target table in the layout above; TargetFileError lists every problem (nothing is half-read)."""
    try:
        table = read_delimited(data, label="targets")
    except TableReadError as error:
        raise TargetFileError(str(error)) from error
    header = [name.strip() for name in table.header]
    missing = [name for name in TARGET_COLUMNS if name not in header]
    if missing:
        raise TargetFileError(f"1 行目(見出し): 必要な列がありません: {', '.join(missing)}")
    problems: list[str] = []
    rows: list[TargetRow] = []
    seen: dict[tuple[str, str, int], int] = {}
    for offset, raw in enumerate(table.rows):
        number = offset + 2
        cells = {
            name: (raw[header.index(name)].strip() if header.index(name) < len(raw) else "")
            for name in TARGET_COLUMNS
        }
        row = _row(number, cells, problems)
        if row is None:
            continue
        if row.key in seen:
            problems.append(f"{number} 行目: {seen[row.key]} 行目と同じ地域・方式・年度です")
        seen[row.key] = number
        rows.append(row)
    if problems:
        raise TargetFileError("目標の表を読み込めません。何も変えていません。\n" + "\n".join(problems[:50]))
    return rows


@dataclass(frozen=True, slots=True)
class TargetDiff:
    """What a new version changes: rows added, removed, and changed (old, new)."""

    added: list[TargetRow]
    removed: list[TargetRow]
    changed: list[tuple[TargetRow, TargetRow]]

    @property
    def is_empty(self) -> bool:
        """True when the new version is the same as the old one."""
        return not (self.added or self.removed or self.changed)

    def lines(self) -> list[str]:
        """The diff as lines for staff and the command line."""
        out = [
            f"+ {r.area_name} {r.technology} {r.fiscal_year}年度 目標 {r.target_percent}%" for r in self.added
        ]
        out += [
            f"- {r.area_name} {r.technology} {r.fiscal_year}年度 目標 {r.target_percent}%"
            for r in self.removed
        ]
        for old, new in self.changed:
            fields = [name for name in TARGET_COLUMNS if getattr(old, name) != getattr(new, name)]
            changes = ", ".join(f"{name}: {getattr(old, name)} → {getattr(new, name)}" for name in fields)
            out.append(f"~ {new.area_name} {new.technology} {new.fiscal_year}年度: {changes}")
        return out


def diff_targets(old: list[TargetRow], new: list[TargetRow]) -> TargetDiff:
    """Rows added, removed and changed between two versions of the table (matched by area, technology, year)."""
    before = {row.key: row for row in old}
    after = {row.key: row for row in new}
    return TargetDiff(
        added=[row for key, row in after.items() if key not in before],
        removed=[row for key, row in before.items() if key not in after],
        changed=[(before[key], row) for key, row in after.items() if key in before and before[key] != row],
    )


def pick_target(
    rows: list[TargetRow], areas: list[str], technology: str, fiscal_year: int
) -> TargetRow | None:
    """The target that applies: the most specific area in `areas` (e.g. municipality, prefecture, "00") that
    has one for `technology`; of its years the first not before `fiscal_year`, else its latest."""
    for area in areas:
        own = sorted(
            (row for row in rows if row.area_code == area and row.technology == technology),
            key=lambda r: r.fiscal_year,
        )
        if own:
            upcoming = [row for row in own if row.fiscal_year >= fiscal_year]
            return upcoming[0] if upcoming else own[-1]
    return None
