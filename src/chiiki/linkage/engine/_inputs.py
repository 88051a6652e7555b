"""Reading the registry, record and link tables, with plain errors for anything a user can get wrong.

Files (``.parquet`` files or folders of part files aside, read with polars and checked the same way) are read through `chiiki.tables`, the one reading policy of the project: UTF-8 (with or without BOM),
Shift_JIS as Windows writes it (cp932), UTF-16 and EUC-JP; comma or tab separated; the first row is the header.
Values are checked where the file is read, so a bad file is refused at once and whole, naming the row (as the
user counts rows: the header is row 1) and the column:

- the id column must be filled and unique;
- ``sex`` is 1/2, 男/女, 男性/女性 or M/F (read as the registry's codes 1 and 2) or blank;
- ``birth_date`` is any date `chiiki.jp.parse_date` reads (西暦, 和暦 such as 昭和55年5月17日 or S55.5.17,
  an Excel serial number) or blank.

Other values are kept as written; blanks become null. The engine's comparison keys are built from them later.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from chiiki.jp import parse_sex
from chiiki.linkage.engine._dates import iso_birth_date
from chiiki.tables import (
    DelimitedTable,
    TableReadError,
    check_table_bytes,
    read_delimited,
    read_table_bytes,
    stream_delimited,
)

REGISTRY_COLUMNS: tuple[str, ...] = (
    "person_id",
    "name_kanji",
    "name_kana",
    "birth_date",
    "sex",
    "address",
    "postal_code",
)
RECORD_COLUMNS: tuple[str, ...] = ("record_id", *REGISTRY_COLUMNS[1:])
LINK_COLUMNS: tuple[str, ...] = ("record_id", "person_id")
MAX_PROBLEMS = 20
"""A refusal lists at most this many problems: enough to see a pattern, short enough to read."""


class InputError(ValueError):
    """A user's input file cannot be used; the message says why in Japanese, then English."""


@dataclass(frozen=True)
class _Layout:
    """What one kind of table must hold: its label for messages, its columns and its id column."""

    label: str
    columns: tuple[str, ...]
    id_column: str


REGISTRY = _Layout("住民登録", REGISTRY_COLUMNS, "person_id")
RECORDS = _Layout("照合対象レコード", RECORD_COLUMNS, "record_id")
LINKS = _Layout("既存の紐付け", LINK_COLUMNS, "record_id")


def read_registry(path: str | Path) -> pl.DataFrame:
    """Read the registry CSV (person_id, name_kanji, name_kana, birth_date, sex, address, postal_code)."""
    return _read_file(path, REGISTRY)


def read_records(path: str | Path) -> pl.DataFrame:
    """Read the records CSV (record_id, name_kanji, name_kana, birth_date, sex, address, postal_code)."""
    return _read_file(path, RECORDS)


def read_links(path: str | Path) -> pl.DataFrame:
    """Read existing links (record_id, person_id); a record may appear once, a person several times."""
    frame = _read_file(path, LINKS)
    return frame.filter(pl.col("person_id").is_not_null())


def parse_records(data: bytes, *, source: str) -> pl.DataFrame:
    """Read an uploaded records file from its bytes; `source` (the file's name) is named in refusals."""
    try:
        check_table_bytes(data, label=RECORDS.label)
    except TableReadError as error:
        raise InputError(f"{source}: {error}") from error
    return _parse(data, RECORDS, source=source)


def _read_file(path: str | Path, layout: _Layout) -> pl.DataFrame:
    path = Path(path)
    if not path.exists():
        raise InputError(f"{layout.label}のファイルが見つかりません: {path} / {layout.label} file not found")
    if path.suffix.lower() == ".parquet" or path.is_dir():
        return _parse_table(_parquet_table(path, layout), layout, source=str(path))
    try:
        data = read_table_bytes(path, label=layout.label)
    except TableReadError as error:
        raise InputError(f"{path}: {error}") from error
    return _parse(data, layout, source=str(path))


def _parquet_table(path: Path, layout: _Layout) -> DelimitedTable:
    """A Parquet file (or a folder of part files, as Spark writes them) as text cells, checked like a CSV."""
    try:
        frame = pl.read_parquet(path / "*.parquet" if path.is_dir() else path)
    except (OSError, pl.exceptions.PolarsError) as error:
        raise InputError(
            f"{layout.label}のファイル {path} を Parquet として読めません: {error} / not a readable Parquet file"
        ) from error
    text = frame.select(pl.col(name).cast(pl.String).fill_null("") for name in frame.columns)
    return DelimitedTable(
        header=list(frame.columns),
        rows=[list(row) for row in text.iter_rows()],
        encoding="parquet",
        delimiter="",
    )


def _parse(data: bytes, layout: _Layout, *, source: str) -> pl.DataFrame:
    try:
        table = read_delimited(data, label=layout.label)
    except TableReadError as error:
        raise InputError(f"{source}: {error}") from error
    return _parse_table(table, layout, source=source)


def _parse_table(table: DelimitedTable, layout: _Layout, *, source: str) -> pl.DataFrame:
    positions = _positions(table, layout, source=source)
    rows = _Rows(layout, source)
    columns = rows.collect(table, positions)
    rows.raise_if_any()
    frame = pl.DataFrame(columns, schema=dict.fromkeys(layout.columns, pl.String))
    if frame.height == 0:
        raise empty_error(layout, source)
    _check_unique(frame, layout, source=source)
    return frame


def _positions(table: DelimitedTable, layout: _Layout, *, source: str) -> dict[str, int]:
    """Where each needed column is in the header; refuse the file naming every missing one."""
    positions = {name: table.header.index(name) for name in layout.columns if name in table.header}
    missing = [name for name in layout.columns if name not in positions]
    if missing:
        raise InputError(
            f"{layout.label}のファイル {source} に必要な列がありません: {', '.join(missing)}"
            f"(必要な列: {','.join(layout.columns)}) / missing columns: {', '.join(missing)}"
        )
    return positions


class _Rows:
    """The data rows of one table read into columns, with every problem found on the way.

    Work is done column by column and each check once per distinct value (a million records hold far fewer
    distinct dates and spellings of sex), so reading stays a small part of a run.
    """

    def __init__(self, layout: _Layout, source: str) -> None:
        self.layout = layout
        self.source = source
        self.problems: list[tuple[int, int, str]] = []  # (row, column position, message)
        self.dropped = 0  # problems beyond the first MAX_PROBLEMS, counted only (see `trim`)
        self.checks: dict[str, Callable[[str], str]] = {"sex": parse_sex, "birth_date": _birth_date}

    def collect(
        self, table: DelimitedTable, positions: dict[str, int], *, first_row: int = 2
    ) -> dict[str, list[str | None]]:
        width = len(table.header)
        numbered = [
            (number, record)
            for number, record in enumerate(table.rows, start=first_row)
            if any(cell.strip() for cell in record)
        ]
        for number, record in numbered:
            if len(record) > width and any(cell.strip() for cell in record[width:]):
                self.note(number, -1, f"見出しより列が多い行です(見出し {width} 列、この行 {len(record)} 列)")
        numbers = [number for number, _record in numbered]
        columns: dict[str, list[str | None]] = {}
        for position, name in enumerate(self.layout.columns):
            index = positions[name]
            values = [record[index].strip() if index < len(record) else "" for _number, record in numbered]
            columns[name] = self.checked(position, name, values, numbers)
        return columns

    def checked(self, position: int, column: str, values: list[str], numbers: list[int]) -> list[str | None]:
        """The column as the engine reads it (None for blank); a problem noted for each value it cannot read."""
        if column == self.layout.id_column:
            for number, value in zip(numbers, values, strict=True):
                if not value:
                    self.note(number, position, f"「{column}」列: 値が空です (required)")
        check = self.checks.get(column)
        if check is None:
            return [value or None for value in values]
        readings: dict[str, str | ValueError] = {}
        for value in set(values) - {""}:
            try:
                readings[value] = check(value)
            except ValueError as error:
                readings[value] = error
        out: list[str | None] = []
        for number, value in zip(numbers, values, strict=True):
            reading = readings.get(value, "")
            if isinstance(reading, ValueError):
                self.note(number, position, f"「{column}」列: {reading}")
                reading = ""
            out.append(reading or None)
        return out

    def note(self, number: int, position: int, message: str) -> None:
        self.problems.append((number, position, message))

    def trim(self) -> None:
        """Keep only the problems a refusal shows; rows come in order, so later batches cannot precede them."""
        ordered = sorted(self.problems, key=lambda problem: problem[:2])
        self.dropped += max(len(ordered) - MAX_PROBLEMS, 0)
        self.problems = ordered[:MAX_PROBLEMS]

    def raise_if_any(self) -> None:
        if not self.problems:
            return
        ordered = sorted(self.problems, key=lambda problem: problem[:2])
        shown = [
            f"{number}行目{message}" if message.startswith("「") else f"{number}行目: {message}"
            for number, _position, message in ordered[:MAX_PROBLEMS]
        ]
        total = len(ordered) + self.dropped
        more = f" ほか{total - MAX_PROBLEMS}件" if total > MAX_PROBLEMS else ""
        raise InputError(
            f"{self.layout.label}のファイル {self.source} に読めない値があります"
            f"(何も取り込んでいません){more}:\n" + "\n".join(shown) + "\n/ the file has unreadable values"
        )


def _birth_date(value: str) -> str:
    iso_birth_date(value)  # DateParseError says why, in Japanese then English
    return value  # kept as written: officers see the record as it came


def _check_unique(frame: pl.DataFrame, layout: _Layout, *, source: str) -> None:
    id_column = layout.id_column
    duplicated = frame.filter(pl.col(id_column).is_duplicated())[id_column].unique().sort()
    if duplicated.len():
        raise duplicate_error(layout, source, duplicated.head(5).to_list(), duplicated.len())


def duplicate_error(layout: _Layout, source: str, first: list[str], count: int) -> InputError:
    """The refusal of a file whose id column repeats: the first few repeated ids (sorted) and how many."""
    id_column = layout.id_column
    shown = ", ".join(first[:5])
    more = f" ほか{count - 5}件" if count > 5 else ""
    return InputError(
        f"{layout.label}のファイル {source} で {id_column} が重複しています: {shown}{more} / duplicate {id_column}"
    )


def empty_error(layout: _Layout, source: str) -> InputError:
    """The refusal of a file with a header and no data row."""
    return InputError(
        f"{layout.label}のファイル {source} にデータの行がありません(見出し行だけです) / no data rows"
    )


class BatchReader:
    """A registry or records file read in batches, each checked as `read_registry`/`read_records` check a file.

    Opening checks the file and its header (missing file or columns are refused before anything is read);
    ``batches()`` yields frames of the layout's columns and, once the file is read, raises the same
    `InputError` the whole-file reader would for unreadable values. The caller checks the ids are unique
    and the file not empty (it holds all ids on disk, not here) with `duplicate_error` and `empty_error`.
    """

    def __init__(self, path: str | Path, layout: _Layout, *, batch_rows: int = 200_000) -> None:
        self.path = Path(path)
        self.layout = layout
        self.source = str(self.path)
        self.batch_rows = batch_rows
        if not self.path.exists():
            raise InputError(
                f"{layout.label}のファイルが見つかりません: {self.path} / {layout.label} file not found"
            )
        self._parquet = self.path.suffix.lower() == ".parquet" or self.path.is_dir()
        if self._parquet:
            self._dataset = _parquet_dataset(self.path, layout)
            header = list(self._dataset.schema.names)
        else:
            try:
                self._stream = stream_delimited(self.path, label=layout.label, batch_rows=batch_rows)
            except TableReadError as error:
                raise InputError(f"{self.path}: {error}") from error
            header = self._stream.header
        self.header = header
        self.positions = _positions(DelimitedTable(header, [], "", ""), layout, source=self.source)

    def batches(self) -> Iterator[pl.DataFrame]:
        """Frames of at most ``batch_rows`` rows (blank rows skipped), all strings, None for blank."""
        rows = _Rows(self.layout, self.source)
        first_row = 2
        for raw in self._raw_batches():
            table = DelimitedTable(self.header, raw, "", "")
            columns = rows.collect(table, self.positions, first_row=first_row)
            first_row += len(raw)
            rows.trim()
            if not rows.problems:
                yield pl.DataFrame(columns, schema=dict.fromkeys(self.layout.columns, pl.String))
        rows.raise_if_any()

    def _raw_batches(self) -> Iterator[list[list[str]]]:
        if not self._parquet:
            yield from self._stream.batches()
            return
        try:
            for batch in self._dataset.to_batches(batch_size=self.batch_rows):
                frame = pl.from_arrow(batch)
                assert isinstance(frame, pl.DataFrame)  # noqa: S101 - a record batch converts to a frame
                text = frame.select(pl.col(name).cast(pl.String).fill_null("") for name in frame.columns)
                yield [list(row) for row in text.iter_rows()]
        except (OSError, pl.exceptions.PolarsError, ValueError) as error:
            raise _unreadable_parquet(self.path, self.layout, error) from error


def _parquet_dataset(path: Path, layout: _Layout) -> Any:
    import pyarrow.dataset as ds  # type: ignore[import-untyped]

    try:
        return ds.dataset(str(path), format="parquet")
    except (OSError, ValueError) as error:
        raise _unreadable_parquet(path, layout, error) from error


def _unreadable_parquet(path: Path, layout: _Layout, error: Exception) -> InputError:
    return InputError(
        f"{layout.label}のファイル {path} を Parquet として読めません: {error} / not a readable Parquet file"
    )


def registry_batches(path: str | Path, *, batch_rows: int = 200_000) -> BatchReader:
    """The registry file (as `read_registry` reads it) in batches."""
    return BatchReader(path, REGISTRY, batch_rows=batch_rows)


def records_batches(path: str | Path, *, batch_rows: int = 200_000) -> BatchReader:
    """The records file (as `read_records` reads it) in batches."""
    return BatchReader(path, RECORDS, batch_rows=batch_rows)
