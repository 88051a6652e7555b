"""Reading an XLSForm file into sheets of cells that keep their row number and column letter.

Four layouts are read: ``.xlsx``/``.xlsm`` (openpyxl), legacy ``.xls`` (xlrd, which pyxform installs),
and the text layouts pyxform's own tests use: markdown tables and CSV, where a row whose first cell holds
a word starts a new sheet. The format is recognised from the content, not trusted from the extension.
We read cells ourselves instead of through pyxform's ``xls2json`` because its rows lose their column
letters, and every problem we report must point at a cell.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import stat
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chiiki.surveys.xlsform._problems import Problem
from chiiki.tables import TableReadError, XlsxLimits, check_xlsx_bounds

__all__ = [
    "RawRow",
    "RawSheet",
    "RawWorkbook",
    "WorkbookError",
    "column_letter",
    "read_file_bytes",
    "read_workbook",
]

MAX_ROWS = 20_000
"""A questionnaire has at most a few thousand rows; more means a wrong file."""
MAX_COLUMNS = 500
MAX_FILE_BYTES = 64 * 1024 * 1024
"""Bigger files are refused before reading: forms are kilobytes, a huge file is a wrong file."""
_XLSX_LIMITS = XlsxLimits(
    max_uncompressed_bytes=200 * 1024 * 1024, max_shared_strings=200_000, max_rows=100_000, max_columns=16_384
)
"""Checked on the zip before openpyxl opens it: inflated size, shared strings, rows (blank ones too). Columns are
bounded while reading instead (only the first MAX_COLUMNS are read): real forms carry stray cells far right."""
_EMPTY_RUN_LIMIT = 100  # stop at this many consecutive blank rows: Excel files often claim huge ranges

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class WorkbookError(ValueError):
    """The file could not be read as a spreadsheet at all; ``problem`` says why."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(problem.describe())


@dataclass(slots=True)
class RawRow:
    """One non-header row: its spreadsheet row number and its non-empty cells by column letter."""

    number: int
    cells: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class RawSheet:
    """A sheet: header cells by column letter (in order) and the rows below them."""

    name: str
    headers: dict[str, str] = field(default_factory=dict)
    rows: list[RawRow] = field(default_factory=list)


@dataclass(slots=True)
class RawWorkbook:
    """All sheets of a file, in file order, and the format they were read from."""

    file_format: str
    sheets: list[RawSheet] = field(default_factory=list)


def column_letter(index: int) -> str:
    """Spreadsheet column letter for a 0-based index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _file_problem(message: str, subject: str = "") -> WorkbookError:
    return WorkbookError(Problem(None, None, None, subject, message))


def read_file_bytes(path: str | Path) -> bytes:
    """The bytes of a regular file; raise :class:`WorkbookError` naming why it cannot be read.

    FIFOs, devices and sockets are refused before opening: reading them would block or never end.
    """
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise _file_problem("ファイルが見つかりません (file not found)", str(path)) from None
    except OSError as error:
        raise _file_problem(f"ファイルを読めません (cannot read file: {error.strerror})", str(path)) from None
    if stat.S_ISDIR(info.st_mode):
        raise _file_problem("フォルダではなくファイルを指定してください (this is a directory)", str(path))
    if not stat.S_ISREG(info.st_mode):
        raise _file_problem(
            "通常のファイルではありません (not a regular file: pipe, device or socket)", str(path)
        )
    if info.st_size > MAX_FILE_BYTES:
        raise _file_problem(
            f"ファイルが大きすぎます (file larger than {MAX_FILE_BYTES // (1024 * 1024)} MB: "
            "is this really a questionnaire?)",
            str(path),
        )
    try:
        return path.read_bytes()
    except OSError as error:
        raise _file_problem(f"ファイルを読めません (cannot read file: {error.strerror})", str(path)) from None


def read_workbook(source: str | Path | bytes, *, filename: str | None = None) -> RawWorkbook:
    """Read a file path or raw bytes; raise :class:`WorkbookError` if it is not a readable form file."""
    if isinstance(source, bytes):
        data = source
        name = filename or ""
    else:
        name = filename or Path(source).name
        data = read_file_bytes(source)
    if not data.removeprefix(b"\xef\xbb\xbf").strip():  # a lone BOM is what Excel saves for an empty CSV
        raise _file_problem("ファイルが空です (the file is empty)", name)
    if data.startswith(_ZIP_MAGIC):
        return _read_xlsx(data, name)
    if data.startswith(_OLE_MAGIC):
        return _read_xls(data, name)
    return _read_text_layout(_decode_text(data, name), name)


_NOT_A_FORM = (
    "XLSForm のファイルではありません: .xlsx, .xls, .md, .csv を指定してください "
    "(not an XLSForm file: expected .xlsx, .xls, markdown or CSV)"
)


def _decode_text(data: bytes, name: str) -> str:
    """A text layout's bytes as text; only UTF-8 (with or without BOM) is accepted."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _file_problem(
            "UTF-16 のテキストは読めません。UTF-8 で保存してください (UTF-16 text: save it as UTF-8)", name
        )
    if b"\x00" in data[:4096]:
        raise _file_problem(_NOT_A_FORM, name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _file_problem(
            "UTF-8 のテキストでも表計算ファイルでもありません (not UTF-8 text and not a spreadsheet)",
            name,
        ) from None


def _read_text_layout(text: str, name: str) -> RawWorkbook:
    """Markdown or CSV, by extension first, then by the look of the text."""
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return _read_csv(text)
    if suffix == ".md" or _looks_like_markdown(text):
        return _read_markdown(text)
    if suffix in (".xlsx", ".xlsm", ".xls"):
        raise _file_problem(f"{suffix} ファイルとして開けません (not a valid {suffix} file)", name)
    if text.count(",") >= 4:
        return _read_csv(text)
    raise _file_problem(_NOT_A_FORM, name)


# ------------------------------------------------------------------------------------------ cell values


def _cell_text(value: object) -> str:
    """A cell as text, the way XLSForm tools read it (whole numbers without '.0', TRUE/FALSE)."""
    if value is None:
        return ""
    if value is True:
        return "TRUE"
    if value is False:
        return "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time(0) else value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).replace("\u00a0", " ").strip()


_FORM_SHEETS = frozenset({"survey", "choices", "settings", "external_choices", "entities", "osm"})


def _wanted(sheet_name: str, sheet_count: int) -> bool:
    """Whether a sheet's cells are worth reading: the XLSForm sheets, or the only sheet of a file."""
    return sheet_count == 1 or sheet_name.strip().lower() in _FORM_SHEETS


def _build_sheet(name: str, rows: list[tuple[int, list[str]]]) -> RawSheet:
    """Make a sheet from (row number, cell texts) pairs; the first non-empty row is the header."""
    sheet = RawSheet(name)
    header_seen = False
    for number, cells in rows:
        if not header_seen:
            if not any(cells):
                continue
            header_seen = True
            for index, text in enumerate(cells[:MAX_COLUMNS]):
                if text:
                    sheet.headers[column_letter(index)] = re.sub(r"\s+", " ", text)
            continue
        row = RawRow(number)
        for index, text in enumerate(cells[:MAX_COLUMNS]):
            if text:
                row.cells[column_letter(index)] = text
        sheet.rows.append(row)
    return sheet


def _bounded_rows(rows: Iterable[Sequence[object]], sheet_name: str) -> list[tuple[int, list[str]]]:
    out: list[tuple[int, list[str]]] = []
    empty_run = 0
    for number, values in enumerate(rows, start=1):
        cells = [_cell_text(v) for v in values[:MAX_COLUMNS]]
        if any(cells):
            empty_run = 0
            if len(out) >= MAX_ROWS:
                raise WorkbookError(
                    Problem(
                        sheet_name,
                        number,
                        None,
                        "",
                        f"行が多すぎます (more than {MAX_ROWS} rows: is this really a questionnaire?)",
                    )
                )
            out.append((number, cells))
        else:
            empty_run += 1
            if empty_run >= _EMPTY_RUN_LIMIT:
                break
    return out


# ------------------------------------------------------------------------------------------- formats


def _check_xlsx_archive(data: bytes, name: str) -> None:
    """Refuse a zip bomb or an oversized workbook, a damaged zip, an OpenDocument file or a zip without an
    Excel workbook, naming which. The bounds come first: testzip() below inflates every entry."""
    try:
        check_xlsx_bounds(data, _XLSX_LIMITS)
    except TableReadError as error:
        raise _file_problem(str(error), name) from None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            damaged = archive.testzip() is not None
            members = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in members else b""
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
        raise _file_problem("ファイルが壊れています (corrupt or truncated zip/.xlsx file)", name) from None
    if damaged:
        raise _file_problem("ファイルが壊れています (corrupt zip archive)", name)
    if b"opendocument" in mimetype:
        raise _file_problem(
            "OpenDocument (.ods) は読めません。.xlsx で保存し直してください "
            "(OpenDocument spreadsheet: save it as .xlsx)",
            name,
        )
    if "xl/workbook.xml" not in members:
        raise _file_problem(
            "Excel (.xlsx) のファイルではありません (zip file without an Excel workbook)", name
        )


def _read_xlsx(data: bytes, name: str) -> RawWorkbook:
    import openpyxl

    _check_xlsx_archive(data, name)
    workbook = RawWorkbook("xlsx")
    try:
        with warnings.catch_warnings():
            # openpyxl warns about Excel extensions (data validation, …) that do not matter here.
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many unrelated types for broken files
        raise _file_problem(
            f"Excel ファイルとして開けません (cannot open as .xlsx: {type(error).__name__})", name
        ) from None
    try:
        for worksheet in book.worksheets:
            if not _wanted(worksheet.title, len(book.worksheets)):
                workbook.sheets.append(RawSheet(worksheet.title))
                continue
            workbook.sheets.append(_build_sheet(worksheet.title, _xlsx_rows(worksheet)))
    finally:
        book.close()
    return workbook


def _xlsx_rows(worksheet: Any) -> list[tuple[int, list[str]]]:
    """The non-empty rows of an openpyxl worksheet; a damaged sheet is refused by name."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rows = worksheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)  # not padded to a claimed width
            return _bounded_rows(rows, worksheet.title)
    except WorkbookError:
        raise
    except Exception as error:  # a damaged sheet XML surfaces as various parser errors
        raise WorkbookError(
            Problem(
                worksheet.title,
                None,
                None,
                "",
                f"シートを読めません (cannot read sheet: {type(error).__name__})",
            )
        ) from None


def _read_xls(data: bytes, name: str) -> RawWorkbook:
    import xlrd  # type: ignore[import-untyped]  # installed with pyxform, ships no type hints

    try:
        book = xlrd.open_workbook(file_contents=data)
    except Exception as error:  # xlrd raises XLRDError, struct.error, AssertionError… on junk
        raise _file_problem(
            f"古い Excel (.xls) として開けません (cannot open as .xls: {error})", name
        ) from None
    workbook = RawWorkbook("xls")
    try:
        for sheet in book.sheets():
            if not _wanted(sheet.name, book.nsheets):
                workbook.sheets.append(RawSheet(sheet.name))
                continue
            rows = [
                [_xls_value(book, sheet, r, c) for c in range(min(sheet.ncols, MAX_COLUMNS))]
                for r in range(min(sheet.nrows, MAX_ROWS * 2))
            ]
            workbook.sheets.append(_build_sheet(sheet.name, _bounded_rows(rows, sheet.name)))
    finally:
        book.release_resources()
    return workbook


def _xls_value(book: Any, sheet: Any, r: int, c: int) -> object:
    """One .xls cell as a Python value: dates and times decoded, booleans as bool."""
    import xlrd

    cell = sheet.cell(r, c)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype != xlrd.XL_CELL_DATE:
        return cell.value
    try:
        parts = xlrd.xldate_as_tuple(cell.value, book.datemode)
    except xlrd.xldate.XLDateError:
        raise WorkbookError(
            Problem(
                sheet.name,
                r + 1,
                column_letter(c),
                str(cell.value),
                "日付のセルを読めません。文字列として入力してください "
                "(ambiguous Excel date cell; enter it as text)",
            )
        ) from None
    if parts[:3] == (0, 0, 0):
        return datetime.time(*parts[3:])
    return datetime.datetime(*parts)  # noqa: DTZ001 - a naive cell value


def _looks_like_markdown(text: str) -> bool:
    return text.count("|") >= 5 and any(line.lstrip().startswith("|") for line in text.splitlines()[:50])


_MD_SPLIT = re.compile(r"(?<!\\)\|")


def _grouped_rows(lines: list[list[str]]) -> RawWorkbook:
    """Shared by markdown and CSV: a row whose first cell is non-empty starts a sheet of that name."""
    workbook = RawWorkbook("text")
    current: str | None = None
    pending: list[list[str]] = []

    def flush() -> None:
        if current is not None:
            numbered = [(i + 1, cells) for i, cells in enumerate(pending)]
            workbook.sheets.append(_build_sheet(current, numbered))

    for cells in lines:
        if not cells:
            continue
        first, rest = cells[0].strip(), [c.strip() for c in cells[1:]]
        if first:
            flush()
            current, pending = first, []
            if any(rest):
                pending.append(rest)
        elif current is not None and any(rest):
            pending.append(rest)
    flush()
    return workbook


def _read_markdown(text: str) -> RawWorkbook:
    lines: list[list[str]] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("|") or stripped.startswith("#"):
            continue
        # Like pyxform's tests: a trailing "# comment" after the last pipe is dropped.
        stripped = stripped[: stripped.rfind("|") + 1]
        if re.fullmatch(r"[|\-:\s]+", stripped):
            continue  # separator row
        cells = [c.replace("\\|", "|") for c in _MD_SPLIT.split(stripped[1:-1])]
        lines.append(cells)
    workbook = _grouped_rows(lines)
    workbook.file_format = "markdown"
    if not workbook.sheets:
        raise _file_problem("Markdown の表が見つかりません (no markdown table found)")
    return workbook


def _read_csv(text: str) -> RawWorkbook:
    try:
        # newline="": a lone CR (old Mac files) ends a row instead of breaking the reader.
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise _file_problem(f"CSV として読めません (cannot read CSV: {error})") from None
    workbook = _grouped_rows(lines)
    workbook.file_format = "csv"
    if not workbook.sheets:
        raise _file_problem("CSV にシート名の行がありません (no sheet name row such as 'survey')")
    return workbook
