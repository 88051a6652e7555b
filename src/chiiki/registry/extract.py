"""Reading a municipality's registry extract (CSV) into checked rows, without Django.

The layout is documented in docs/registry-import.md. Every problem is collected with its row number (as the
user counts rows in the file: the header is row 1) and column, so a clerk can fix them all in one pass; a file
with any problem yields no rows, so nothing is written.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from chiiki.jp import DateParseError, parse_date

# Column name -> accepted header spellings (English name first, then Japanese).
COLUMNS: dict[str, tuple[str, ...]] = {
    "household_code": ("household_code", "世帯番号"),
    "person_code": ("person_code", "個人番号", "住民番号"),
    "family_name": ("family_name", "氏"),
    "given_name": ("given_name", "名"),
    "family_name_kana": ("family_name_kana", "氏カナ", "氏(カナ)"),
    "given_name_kana": ("given_name_kana", "名カナ", "名(カナ)"),
    "sex": ("sex", "性別"),
    "birth_date": ("birth_date", "生年月日"),
    "relationship": ("relationship", "続柄"),
    "district_code": ("district_code", "地区コード"),
    "district_name": ("district_name", "地区名"),
    "address": ("address", "住所"),
    "postal_code": ("postal_code", "郵便番号"),
    "registered_on": ("registered_on", "住民となった日"),
    "removed_on": ("removed_on", "消除日"),
}
REQUIRED = (
    "household_code",
    "person_code",
    "family_name",
    "given_name",
    "sex",
    "birth_date",
    "relationship",
    "district_code",
    "district_name",
    "address",
)
SEX_VALUES = {"1": "1", "2": "2", "男": "1", "女": "2", "男性": "1", "女性": "2"}
MAX_ERRORS = 200
MAX_LENGTHS = {
    "household_code": 20,
    "person_code": 20,
    "family_name": 40,
    "given_name": 40,
    "family_name_kana": 80,
    "given_name_kana": 80,
    "relationship": 20,
    "district_code": 20,
    "district_name": 60,
    "address": 200,
}


@dataclass(frozen=True, slots=True)
class ExtractProblem:
    """One problem in the file: row 0 means the file as a whole."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.row}行目" if self.row else "ファイル"
        return f"{where}" + (f"「{self.column}」列" if self.column else "") + f": {self.message}"


class ExtractError(ValueError):
    """The extract cannot be imported; `problems` lists every reason found."""

    def __init__(self, problems: list[ExtractProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass(frozen=True, slots=True)
class ResidentRow:
    """One checked row of the extract."""

    row: int
    household_code: str
    person_code: str
    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    sex: str
    birth_date: date
    relationship: str
    district_code: str
    district_name: str
    address: str
    postal_code: str
    registered_on: date | None
    removed_on: date | None


def decode(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), else Shift_JIS (cp932); name the first bad line otherwise."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    error_at = _first_undecodable_line(data)
    raise ExtractError(
        [
            ExtractProblem(
                error_at,
                "",
                "文字コードが UTF-8 でも Shift_JIS でもありません。"
                "UTF-8 で保存し直してください (wrong encoding)",
            )
        ]
    )


def _first_undecodable_line(data: bytes) -> int:
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            return number
    return 0


def _header_map(header: list[str]) -> tuple[dict[str, int], list[ExtractProblem]]:
    spelled = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}
    positions: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = spelled.get(raw.strip().lstrip("\ufeff"))
        if name is not None and name not in positions:
            positions[name] = index
    missing = [name for name in REQUIRED if name not in positions]
    problems = [
        ExtractProblem(
            1, COLUMNS[name][1], f"必須の列「{COLUMNS[name][1]}」({name}) がありません (missing column)"
        )
        for name in missing
    ]
    return positions, problems


def _date(
    value: str, row: int, column: str, problems: list[ExtractProblem], *, required: bool
) -> date | None:
    if not value:
        if required:
            problems.append(ExtractProblem(row, column, "日付が空です"))
        return None
    try:
        return parse_date(value)
    except DateParseError as error:
        problems.append(ExtractProblem(row, column, f"日付として読めません: 「{value}」({error})"))
        return None


def parse_extract(data: bytes) -> list[ResidentRow]:  # noqa: C901
    """Parse and check a whole extract. Raise ExtractError listing every problem; return rows only when clean."""
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise ExtractError([ExtractProblem(0, "", "ファイルが空です (empty file)")])
    positions, problems = _header_map(header)
    if problems:
        raise ExtractError(problems)
    rows: list[ResidentRow] = []
    seen_people: dict[str, int] = {}
    households: dict[str, tuple[str, str, int]] = {}
    for number, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(problems) >= MAX_ERRORS:
            problems.append(
                ExtractProblem(number, "", f"問題が多すぎるため {MAX_ERRORS} 件で確認を打ち切りました")
            )
            break
        parsed = _parse_row(number, record, positions, problems)
        if parsed is None:
            continue
        if parsed.person_code in seen_people:
            problems.append(
                ExtractProblem(
                    number,
                    "個人番号",
                    f"個人番号 {parsed.person_code} が{seen_people[parsed.person_code]}行目と重複しています",
                )
            )
        seen_people.setdefault(parsed.person_code, number)
        first = households.setdefault(parsed.household_code, (parsed.address, parsed.district_code, number))
        if first[:2] != (parsed.address, parsed.district_code):
            problems.append(
                ExtractProblem(
                    number,
                    "住所",
                    f"世帯番号 {parsed.household_code} の住所または地区が{first[2]}行目と違います",
                )
            )
        rows.append(parsed)
    if problems:
        raise ExtractError(problems)
    if not rows:
        raise ExtractError([ExtractProblem(0, "", "データの行がありません (no data rows)")])
    return rows


def _parse_row(
    number: int, record: list[str], positions: dict[str, int], problems: list[ExtractProblem]
) -> ResidentRow | None:
    before = len(problems)

    def cell(name: str) -> str:
        index = positions.get(name)
        return record[index].strip() if index is not None and index < len(record) else ""

    for name in REQUIRED:
        if name not in ("birth_date",) and not cell(name):
            problems.append(ExtractProblem(number, COLUMNS[name][1], "値が空です (required)"))
    for name, limit in MAX_LENGTHS.items():
        if len(cell(name)) > limit:
            problems.append(
                ExtractProblem(number, COLUMNS[name][1], f"{limit}文字を超えています ({len(cell(name))}文字)")
            )
    sex = SEX_VALUES.get(cell("sex"))
    if cell("sex") and sex is None:
        problems.append(
            ExtractProblem(number, "性別", f"性別は 1(男) か 2(女) で書いてください: 「{cell('sex')}」")
        )
    postal = cell("postal_code").replace("-", "").replace("〒", "")
    if postal and not (len(postal) == 7 and postal.isascii() and postal.isdigit()):
        problems.append(
            ExtractProblem(number, "郵便番号", f"郵便番号は7桁の数字です: 「{cell('postal_code')}」")
        )
    birth = _date(cell("birth_date"), number, "生年月日", problems, required=True)
    registered = _date(cell("registered_on"), number, "住民となった日", problems, required=False)
    removed = _date(cell("removed_on"), number, "消除日", problems, required=False)
    if len(problems) > before or birth is None or sex is None:
        return None
    return ResidentRow(
        row=number,
        household_code=cell("household_code"),
        person_code=cell("person_code"),
        family_name=cell("family_name"),
        given_name=cell("given_name"),
        family_name_kana=cell("family_name_kana"),
        given_name_kana=cell("given_name_kana"),
        sex=sex,
        birth_date=birth,
        relationship=cell("relationship"),
        district_code=cell("district_code"),
        district_name=cell("district_name"),
        address=cell("address"),
        postal_code=postal,
        registered_on=registered,
        removed_on=removed,
    )
