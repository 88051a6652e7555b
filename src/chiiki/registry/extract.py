"""Reading a municipality's registry extract (CSV or TSV) into checked rows, without Django.

The layout is documented in docs/registry-import.md. `parse_extract` checks a whole extract held in memory (small
files, the demo); `ExtractStream` reads an extract from a file in chunks of rows, in constant memory, for the
import of a city's registry (`registry.actions.import_extract` does the checks across rows in the database). The file is read through `chiiki.tables`, the project's
one reading policy (UTF-8 with or without BOM, Shift_JIS/cp932, UTF-16, EUC-JP; comma or tab). Every problem
is collected with its row number (as the user counts rows in the file: the header is row 1) and column (as
the file's header names it), so a clerk can fix them all in one pass; a file with any problem yields no rows,
so nothing is written.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import sys
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from chiiki.jp import DateParseError, SexParseError, parse_date, parse_sex
from chiiki.tables import DelimitedTable, TableReadError, check_table_bytes, read_delimited, sniff_delimiter

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


# ------------------------------------------------------------------------------------------ streaming

SAMPLE_BYTES = 1 << 16
_READ_BYTES = 1 << 20
_CP932_STRAY = re.compile("[\u0080\u00a0\uf8f0-\uf8f3]")  # bytes cp932 accepts but no Windows text holds
_STRICT = (("utf-8", "UTF-8"), ("cp932", "Shift_JIS (cp932)"), ("euc_jp", "EUC-JP"))
_UNREADABLE = (
    "文字コードが UTF-8・Shift_JIS・UTF-16・EUC-JP のどれでもない文字があります。"
    "UTF-8 か Shift_JIS で保存し直してください (unreadable characters)"
)


class ExtractStream:
    """An extract read from a seekable binary file in chunks of checked rows, never whole.

    The same reading policy as `chiiki.tables` (BOMs, then strict UTF-8, cp932, EUC-JP; comma or tab), found by
    a first pass over the bytes; the same checks of each row as `parse_extract`. The checks across rows (one
    row per person, one address per household) need every earlier row: the importer makes them against what it
    has written in its transaction and reports them here (`duplicate_person`, `household_differs`), and
    `cross_row_problems` finds the first row each one clashes with by reading the file once more.
    """

    def __init__(self, handle: BinaryIO, *, chunk_rows: int = 2000) -> None:
        self.handle = handle
        self.chunk_rows = chunk_rows
        self.problems: list[ExtractProblem] = []
        self._duplicates: list[tuple[int, str]] = []
        self._differing: list[tuple[int, str]] = []
        self.rows_read = 0
        sample = handle.read(SAMPLE_BYTES)
        handle.seek(0)
        try:
            check_table_bytes(sample, label=LABEL)
        except TableReadError as error:
            raise ExtractError([ExtractProblem(0, "", str(error))]) from error
        self.encoding = self._encoding(sample)
        self.delimiter = sniff_delimiter(sample.decode(self.encoding, errors="ignore"))
        self.columns = _columns(self._header(self._records()))
        self._checker = _Checker(self.columns)
        self._checker.problems = self.problems

    # -- reading

    def _encoding(self, sample: bytes) -> str:
        if sample.startswith((b"\xff\xfe", b"\xfe\xff")) and self._reads_as("utf-16"):
            return "utf-16"
        if sample.startswith(b"\xef\xbb\xbf") and self._reads_as("utf-8-sig"):
            return "utf-8-sig"
        for codec, _name in _STRICT:
            if self._reads_as(codec):
                return codec
        raise ExtractError([ExtractProblem(self._first_unreadable_line(), "", _UNREADABLE)])

    def _reads_as(self, codec: str) -> bool:
        """Whether every byte of the file decodes in `codec` (read in blocks: constant memory)."""
        decoder = codecs.getincrementaldecoder(codec)()
        self.handle.seek(0)
        try:
            while block := self.handle.read(_READ_BYTES):
                text = decoder.decode(block)
                if codec == "cp932" and _CP932_STRAY.search(text):
                    return False
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
        finally:
            self.handle.seek(0)
        return True

    def _first_unreadable_line(self) -> int:
        self.handle.seek(0)
        try:
            for number, line in enumerate(self.handle, start=1):
                if not any(_decodes(line, codec) for codec, _name in _STRICT):
                    return number
        finally:
            self.handle.seek(0)
        return 1

    def _records(self) -> Generator[list[str], None, None]:
        """Every record of the file from the top (the header first)."""
        self.handle.seek(0)
        csv.field_size_limit(sys.maxsize)
        text = io.TextIOWrapper(self.handle, encoding=self.encoding, newline="")
        try:
            yield from csv.reader(text, delimiter=self.delimiter)
        finally:
            text.detach()  # the caller owns the file

    @staticmethod
    def _header(records: Generator[list[str], None, None]) -> list[str]:
        header = next(records, None)
        records.close()
        if header is None or not any(cell.strip() for cell in header):
            raise ExtractError(
                [ExtractProblem(0, "", "ファイルに見出し行がありません / the file has no header row")]
            )
        return [cell.strip().lstrip("\ufeff") for cell in header]

    def chunks(self) -> Iterator[list[ResidentRow]]:
        """The checked rows, `chunk_rows` at a time; rows with a problem are left out and the problem noted."""
        records = self._records()
        next(records, None)
        batch: list[ResidentRow] = []
        for number, record in enumerate(records, start=2):
            if not any(cell.strip() for cell in record):
                continue
            if len(self.problems) >= MAX_ERRORS:
                self.problems.append(
                    ExtractProblem(number, "", f"問題が多すぎるため {MAX_ERRORS} 件で確認を打ち切りました")
                )
                break
            self.rows_read += 1
            parsed = self._checker.row(number, record)
            if parsed is not None:
                batch.append(parsed)
            if len(batch) >= self.chunk_rows:
                yield batch
                batch = []
        if batch:
            yield batch
        if not self.rows_read:
            self.problems.append(ExtractProblem(0, "", "データの行がありません (no data rows)"))

    # -- problems across rows, found by the importer

    def duplicate_person(self, row: ResidentRow) -> None:
        """`row` names a person an earlier row already named."""
        self._duplicates.append((row.row, row.person_code))

    def household_differs(self, row: ResidentRow) -> None:
        """`row` gives its household another address or district than an earlier row did."""
        self._differing.append((row.row, row.household_code))

    def cross_row_problems(self) -> None:
        """Add the problems across rows to `problems`, each naming the first row it clashes with."""
        if not self._duplicates and not self._differing:
            return
        persons = {code for _row, code in self._duplicates}
        households = {code for _row, code in self._differing}
        first_person: dict[str, int] = {}
        first_household: dict[str, int] = {}
        person_at, household_at = self.columns["person_code"].index, self.columns["household_code"].index
        records = self._records()
        next(records, None)
        for number, record in enumerate(records, start=2):
            if person_at < len(record) and (code := record[person_at].strip()) in persons:
                first_person.setdefault(code, number)
            if household_at < len(record) and (code := record[household_at].strip()) in households:
                first_household.setdefault(code, number)
        title = self._checker.title
        for number, code in self._duplicates:
            message = f"{title('person_code')} {code} が{first_person.get(code, number)}行目と重複しています"
            self.problems.append(ExtractProblem(number, title("person_code"), message))
        for number, code in self._differing:
            first = first_household.get(code, number)
            message = f"世帯番号 {code} の住所または地区が{first}行目と違います"
            self.problems.append(ExtractProblem(number, title("address"), message))
        self.problems.sort(key=lambda problem: problem.row)


def _decodes(line: bytes, codec: str) -> bool:
    try:
        line.decode(codec)
    except UnicodeDecodeError:
        return False
    return True
