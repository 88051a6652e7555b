"""Reading a municipality's registry extract (CSV or TSV) into checked rows, without Django.

The layout is documented in docs/registry-import.md. The file is read through `chiiki.tables`, the project's
one reading policy (UTF-8 with or without BOM, Shift_JIS/cp932, UTF-16, EUC-JP; comma or tab). Every problem
is collected with its row number (as the user counts rows in the file: the header is row 1) and column (as
the file's header names it), so a clerk can fix them all in one pass; a file with any problem yields no rows,
so nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from chiiki.jp import DateParseError, SexParseError, parse_date, parse_sex
from chiiki.tables import DelimitedTable, TableReadError, check_table_bytes, read_delimited

# Column name -> accepted header spellings (English name first, then Japanese).
COLUMNS: dict[str, tuple[str, ...]] = {
    "household_code": ("household_code", "世帯番号"),
    # 住民番号 as the registry calls it; 個人番号 (older extracts) is still read, though it means My Number.
    "person_code": ("person_code", "住民番号", "住民票コード", "個人番号"),
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


LABEL = "住民基本台帳の抽出"


def parse_extract(data: bytes) -> list[ResidentRow]:
    """Parse and check a whole extract. Raise ExtractError listing every problem; return rows only when clean."""
    table = _read(data)
    checker = _Checker(_columns(table.header))
    rows = checker.rows(table)
    if checker.problems:
        raise ExtractError(checker.problems)
    if not rows:
        raise ExtractError([ExtractProblem(0, "", "データの行がありません (no data rows)")])
    return rows


def _read(data: bytes) -> DelimitedTable:
    try:
        check_table_bytes(data, label=LABEL)
        return read_delimited(data, label=LABEL)
    except TableReadError as error:
        if error.line is not None:
            raise ExtractError(
                [
                    ExtractProblem(
                        error.line,
                        "",
                        "文字コードが UTF-8・Shift_JIS・UTF-16・EUC-JP のどれでもない文字があります。"
                        "UTF-8 か Shift_JIS で保存し直してください (unreadable characters)",
                    )
                ]
            ) from error
        raise ExtractError([ExtractProblem(0, "", str(error))]) from error


@dataclass(frozen=True, slots=True)
class _Column:
    """Where a column is in the file and how the file's header calls it (problems name it that way)."""

    index: int
    title: str


def _columns(header: list[str]) -> dict[str, _Column]:
    spelled = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}
    columns: dict[str, _Column] = {}
    for index, raw in enumerate(header):
        name = spelled.get(raw)
        if name is not None and name not in columns:
            columns[name] = _Column(index, raw)
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise ExtractError(
            [
                ExtractProblem(
                    1,
                    COLUMNS[name][1],
                    f"必須の列「{COLUMNS[name][1]}」({name}) がありません (missing column)",
                )
                for name in missing
            ]
        )
    return columns


class _Checker:
    """Checks rows one by one, and across rows: one row per person, one address per household."""

    def __init__(self, columns: dict[str, _Column]) -> None:
        self.columns = columns
        self.problems: list[ExtractProblem] = []
        self.first_row_of_person: dict[str, int] = {}
        self.households: dict[str, tuple[str, str, int]] = {}

    def title(self, name: str) -> str:
        """The column as the file's header names it (the Japanese name when the file lacks it)."""
        column = self.columns.get(name)
        return column.title if column is not None else COLUMNS[name][1]

    def rows(self, table: DelimitedTable) -> list[ResidentRow]:
        rows: list[ResidentRow] = []
        for number, record in enumerate(table.rows, start=2):
            if not any(cell.strip() for cell in record):
                continue
            if len(self.problems) >= MAX_ERRORS:
                self.problems.append(
                    ExtractProblem(number, "", f"問題が多すぎるため {MAX_ERRORS} 件で確認を打ち切りました")
                )
                break
            parsed = self.row(number, record)
            if parsed is not None:
                self.check_across_rows(parsed)
                rows.append(parsed)
        return rows

    def check_across_rows(self, parsed: ResidentRow) -> None:
        number, code = parsed.row, parsed.person_code
        if code in self.first_row_of_person:
            title = self.title("person_code")
            self.problems.append(
                ExtractProblem(
                    number, title, f"{title} {code} が{self.first_row_of_person[code]}行目と重複しています"
                )
            )
        self.first_row_of_person.setdefault(code, number)
        first = self.households.setdefault(
            parsed.household_code, (parsed.address, parsed.district_code, number)
        )
        if first[:2] != (parsed.address, parsed.district_code):
            self.problems.append(
                ExtractProblem(
                    number,
                    self.title("address"),
                    f"世帯番号 {parsed.household_code} の住所または地区が{first[2]}行目と違います",
                )
            )

    def row(self, number: int, record: list[str]) -> ResidentRow | None:
        before = len(self.problems)

        def cell(name: str) -> str:
            column = self.columns.get(name)
            return record[column.index].strip() if column is not None and column.index < len(record) else ""

        self.check_required_and_lengths(number, cell)
        sex = self.sex(number, cell("sex"))
        postal = self.postal_code(number, cell("postal_code"))
        birth = self.date(number, "birth_date", cell("birth_date"), required=True)
        registered = self.date(number, "registered_on", cell("registered_on"), required=False)
        removed = self.date(number, "removed_on", cell("removed_on"), required=False)
        if len(self.problems) > before or birth is None or not sex:
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

    def check_required_and_lengths(self, number: int, cell: Callable[[str], str]) -> None:
        for name in REQUIRED:
            if name != "birth_date" and not cell(name):
                self.problems.append(ExtractProblem(number, self.title(name), "値が空です (required)"))
        for name, limit in MAX_LENGTHS.items():
            if len(cell(name)) > limit:
                self.problems.append(
                    ExtractProblem(
                        number, self.title(name), f"{limit}文字を超えています ({len(cell(name))}文字)"
                    )
                )

    def sex(self, number: int, value: str) -> str:
        try:
            return parse_sex(value)  # blank is reported by the required check
        except SexParseError as error:
            self.problems.append(ExtractProblem(number, self.title("sex"), str(error)))
            return ""

    def postal_code(self, number: int, value: str) -> str:
        postal = value.replace("-", "").replace("〒", "")
        if postal and not (len(postal) == 7 and postal.isascii() and postal.isdigit()):
            self.problems.append(
                ExtractProblem(number, self.title("postal_code"), f"郵便番号は7桁の数字です: 「{value}」")
            )
        return postal

    def date(self, number: int, name: str, value: str, *, required: bool) -> date | None:
        if not value:
            if required:
                self.problems.append(ExtractProblem(number, self.title(name), "日付が空です"))
            return None
        try:
            return parse_date(value)
        except DateParseError as error:
            self.problems.append(
                ExtractProblem(number, self.title(name), f"日付として読めません: 「{value}」({error})")
            )
            return None
