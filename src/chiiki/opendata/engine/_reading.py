"""Read CSV (UTF-8 with/without BOM, Shift_JIS/cp932, CRLF/LF, comma or tab) and XLSX into string columns.

Everything is read as text: type guessing is what breaks other importers (codes lose their leading zero,
dates turn into numbers), so types are decided later, column by column, by the standard schema.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from chiiki.tables import (
    XLS_MAGIC,
    TableReadError,
    XlsxLimits,
    check_regular_file,
    check_xlsx_bounds,
    decode,
    looks_binary,
    sniff_delimiter,
    sniff_other_format,
)

# Files at or below this size are split with the csv module (exact, tolerant of ragged rows); larger ones
# go through Polars' multi-threaded reader and fall back to the csv module only if that fails.
_PYTHON_CSV_LIMIT = 8 * 1024 * 1024
_SCAN_ROWS = 30
# A UTF-8 character takes at most 4 bytes, so a file of more than this many bytes is certainly above
# _PYTHON_CSV_LIMIT characters and would go to Polars anyway: such files skip the Python decode and re-encode.
_DIRECT_BYTES_LIMIT = 4 * _PYTHON_CSV_LIMIT
_PREFIX_CHARS = 200_000  # how much text the header search looks at
_XLSX_MAX_COLUMNS = 1_000  # standard datasets have at most a few dozen columns
_XLSX_BLANK_LIMIT = 1_000  # leading blank rows after which a sheet counts as empty
# Checked on the zip before openpyxl opens it (issue 13, finding 6): bigger tables come as CSV.
XLSX_LIMITS = XlsxLimits(
    max_uncompressed_bytes=200 * 1024 * 1024,
    max_shared_strings=1_000_000,
    max_rows=300_000,
    max_columns=_XLSX_MAX_COLUMNS,
)


# One reading policy for every uploaded table (encodings, non-table files, pipes): chiiki.tables.
ReadError = TableReadError
check_readable = check_regular_file


@dataclass
class RawTable:
    """A table as read from the file: header strings and one string column per header cell."""

    header: list[str]
    frame: pl.DataFrame  # columns "c0".."cN" (Utf8), one row per data record
    header_row: int  # 1-based record number of the header, as a spreadsheet shows it
    row_numbers: pl.Series | None  # 1-based record number of each data row when not contiguous
    encoding: str
    file_format: str
    newline: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def title_rows(self) -> int:
        """How many rows sit above the header (titles, notes)."""
        return self.header_row - 1


def find_header(rows: list[list[str]], score: Callable[[list[str]], int]) -> int:
    """Index of the header among the first rows: the row naming the most known columns, else the first wide row."""
    best_index, best_score = -1, 1
    for index, row in enumerate(rows[:_SCAN_ROWS]):
        s = score(row)
        if s > best_score:
            best_index, best_score = index, s
    if best_index >= 0:
        return best_index
    widths = [sum(1 for c in row if c.strip()) for row in rows[:_SCAN_ROWS]]
    widest = max(widths, default=0)
    for index, width in enumerate(widths):
        if width >= 2 and width >= widest * 0.5:
            return index
    return 0


def _frame_from_rows(rows: Iterable[list[str]], width: int) -> tuple[pl.DataFrame, list[int]]:
    columns: list[list[str | None]] = [[] for _ in range(width)]
    ragged: list[int] = []
    for index, row in enumerate(rows):
        if len(row) > width and any(c.strip() for c in row[width:]):
            ragged.append(index)
        for i in range(width):
            columns[i].append(row[i] if i < len(row) else None)
    frame = pl.DataFrame({f"c{i}": pl.Series(col, dtype=pl.String) for i, col in enumerate(columns)})
    return frame, ragged


def read_csv_text(
    text: str, score: Callable[[list[str]], int]
) -> tuple[list[str], int, pl.DataFrame, list[str]]:
    """Split CSV text; return header, header index (0-based record), data frame and notes."""
    delimiter, header_index, header, width = _locate_header(text, score)
    notes: list[str] = []
    frame: pl.DataFrame | None = None
    if len(text) > _PYTHON_CSV_LIMIT:
        frame = _polars_read(text.encode("utf-8"), delimiter, header_index, width)
    if frame is None:
        # newline="": a lone CR (old Mac files) ends a record instead of stopping the reader.
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows = _drop(reader, header_index + 1)
        frame, ragged = _frame_from_rows(rows, width)
        if ragged:
            rows_text = "、".join(str(header_index + 2 + r) for r in ragged[:10])
            notes.append(
                f"見出しより列の多い行があります（{rows_text} 行目など）。はみ出した値は読み込んでいません"
            )
    return header, header_index, frame, notes


def _locate_header(text: str, score: Callable[[list[str]], int]) -> tuple[str, int, list[str], int]:
    """Delimiter, header index (0-based record), header cells and width, from the start of the text."""
    delimiter = sniff_delimiter(text)
    csv.field_size_limit(sys.maxsize)
    prefix = io.StringIO(text[:_PREFIX_CHARS], newline="")
    head_rows = list(_take(csv.reader(prefix, delimiter=delimiter), _SCAN_ROWS))
    if not head_rows or not any(any(c.strip() for c in r) for r in head_rows):
        raise ReadError("ファイルに表のデータがありません（空のファイルです） / the file is empty")
    header_index = find_header(head_rows, score)
    header = head_rows[header_index]
    width = len(header)
    while width > 1 and not header[width - 1].strip():
        width -= 1
    return delimiter, header_index, header[:width], width


def _polars_read(data: bytes, delimiter: str, header_index: int, width: int) -> pl.DataFrame | None:
    try:
        frame = pl.read_csv(
            data,
            has_header=False,
            skip_rows=header_index + 1,
            separator=delimiter,
            infer_schema=False,
            schema={f"c{i}": pl.String for i in range(width)},
            truncate_ragged_lines=False,
        )
    except Exception:
        return None
    return frame


def _take(it: Iterable[list[str]], n: int) -> Iterable[list[str]]:
    for index, row in enumerate(it):
        if index >= n:
            return
        yield row


def _drop(it: Iterable[list[str]], n: int) -> Iterable[list[str]]:
    for index, row in enumerate(it):
        if index >= n:
            yield row


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def read_xlsx(
    data: bytes, score: Callable[[list[str]], int]
) -> tuple[list[str], int, pl.DataFrame, list[str]]:
    """Read the first non-empty sheet of an XLSX workbook (read-only mode), once its size is within XLSX_LIMITS."""
    import openpyxl

    check_xlsx_bounds(data, XLSX_LIMITS)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ReadError(
            f"Excel ファイルとして開けません（{type(exc).__name__}） / not a readable .xlsx file"
        ) from exc
    try:
        return _first_table(book, score)
    except ReadError:
        raise
    # Read-only mode parses a sheet as it goes: a workbook cut short or damaged inside fails only here, with
    # whatever the XML parser or the zip reader raises (SyntaxError covers both XML parsers' errors).
    except (SyntaxError, zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, OSError) as exc:
        raise ReadError(
            f"Excel ファイルが壊れているか、途中で切れています（{type(exc).__name__}）。"
            "Excel で開いて保存し直してください / the .xlsx file is damaged or cut short"
        ) from exc
    finally:
        book.close()


def _first_table(
    book: Any, score: Callable[[list[str]], int]
) -> tuple[list[str], int, pl.DataFrame, list[str]]:
    """The header, header row index, body and notes of the workbook's first sheet that holds anything."""
    notes: list[str] = []
    for sheet in book.worksheets:
        head, first = _xlsx_head(sheet)
        if first is None:
            continue
        if len(book.worksheets) > 1:
            notes.append(f"シート「{sheet.title}」を読みました（ほかのシートは読みません）")
        header_index = first + find_header(head[first:], score)
        header = head[header_index]
        width = len(header)
        while width > 1 and not header[width - 1].strip():
            width -= 1
        # Only the header's columns: a sheet claiming 16,384 columns is not read cell by cell.
        body = sheet.iter_rows(min_row=header_index + 2, max_col=width, values_only=True)
        frame, _ = _frame_from_rows(([_cell_text(v) for v in row] for row in body), width)
        return header[:width], header_index, frame, notes
    raise ReadError("Excel ファイルに表のデータがありません / the workbook has no data")


def _xlsx_head(sheet: Any) -> tuple[list[list[str]], int | None]:
    """The first rows of a sheet (up to _SCAN_ROWS from the first non-blank one) and that row's index.

    Columns beyond _XLSX_MAX_COLUMNS are not read, and a sheet blank for its first _XLSX_BLANK_LIMIT rows
    counts as empty: openpyxl pads every row to the sheet's claimed size, which a broken file can set to
    millions of cells.
    """
    head: list[list[str]] = []
    first: int | None = None
    for index, values in enumerate(sheet.iter_rows(max_col=_XLSX_MAX_COLUMNS, values_only=True)):
        row = [_cell_text(v) for v in values]
        head.append(row)
        if first is None and any(c.strip() for c in row):
            first = index
        if first is not None and index >= first + _SCAN_ROWS - 1:
            break
        if first is None and index >= _XLSX_BLANK_LIMIT:
            break
    return head, first


def read_table(path: Path, score: Callable[[list[str]], int]) -> RawTable:
    """Read `path` (CSV, TSV or XLSX) into a RawTable; raise ReadError with a plain message when impossible."""
    check_readable(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"ファイルを開けません: {path}（{exc.strerror}）") from exc
    if not data or data.isspace():  # same test as `not data.strip()` without copying the file
        raise ReadError("ファイルが空です / the file is empty")
    kind = sniff_other_format(data)
    if kind:
        raise ReadError(
            f"表のファイル（CSV か XLSX）ではありません（{kind}）。CSV か .xlsx で保存し直してください"
            f" / not a CSV or XLSX file ({kind})"
        )
    if data[:4] == b"PK\x03\x04":
        header, index, frame, notes = read_xlsx(data, score)
        # Spreadsheets carry trailing blank rows from formatting; they are not records.
        frame = _drop_blank_rows(frame)
        return RawTable(header, frame, index + 1, None, "XLSX", "xlsx", "", notes)
    if data.startswith(XLS_MAGIC):
        raise ReadError("古い Excel 形式（.xls）は読めません。.xlsx か CSV で保存し直してください")
    if looks_binary(data):
        raise ReadError(
            "表のファイル（CSV か XLSX）ではないようです（バイナリデータ） / not a CSV or XLSX file"
        )
    direct = _read_utf8_bytes(data, score) if len(data) > _DIRECT_BYTES_LIMIT else None
    if direct is not None:
        return direct
    decoded = decode(data)
    text, encoding, notes = decoded.text, decoded.encoding, list(decoded.notes)
    newline = _newline(text[:100000])
    header, index, frame, more = read_csv_text(text, score)
    return RawTable(header, frame, index + 1, None, encoding, "csv", newline, notes + more)


def _newline(text: str) -> str:
    if "\r\n" in text:
        return "CRLF"
    return "CR" if "\r" in text and "\n" not in text else "LF"


def _read_utf8_bytes(data: bytes, score: Callable[[list[str]], int]) -> RawTable | None:
    """Hand a large UTF-8 file's bytes straight to Polars; None when it is not UTF-8 or Polars cannot split it.

    Gives exactly what decoding and re-encoding would: the bytes Polars sees are the same, and Polars
    rejects invalid UTF-8 in string columns as strictly as Python's decoder does.
    """
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    try:
        # 4 bytes per character at most: enough bytes for _PREFIX_CHARS characters. Incremental so that a
        # prefix cut inside a character is not mistaken for a broken file.
        prefix = codecs.getincrementaldecoder("utf-8")().decode(body[: 4 * _PREFIX_CHARS], final=False)
    except UnicodeDecodeError:
        return None
    delimiter, header_index, header, width = _locate_header(prefix, score)
    frame = _polars_read(body, delimiter, header_index, width)
    if frame is None:
        return None
    newline = "CRLF" if "\r\n" in prefix[:100000] else "LF"
    encoding = "UTF-8 (BOM付き)" if bom else "UTF-8"
    return RawTable(header, frame, header_index + 1, None, encoding, "csv", newline, [])


def _drop_blank_rows(frame: pl.DataFrame) -> pl.DataFrame:
    if frame.width == 0 or frame.height == 0:
        return frame
    nonblank = pl.any_horizontal([pl.col(c).fill_null("").str.strip_chars() != "" for c in frame.columns])
    # Keep blank rows that sit between records; drop only the tail.
    flags = frame.select(nonblank.alias("x"))["x"]
    last = -1
    for i in range(len(flags) - 1, -1, -1):
        if flags[i]:
            last = i
            break
    return frame.head(last + 1)
