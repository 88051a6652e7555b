"""Bounds on an XLSX workbook, checked on the zip before any spreadsheet parser opens it.

A few hundred kilobytes of XLSX can ask for minutes of CPU and gigabytes of memory: a zip entry that inflates
a thousandfold (a zip bomb), three million shared strings (the parser builds them all before the first row),
a million rows, or a sheet claiming 16,384 columns. Each is found here by streaming the entries through zlib
and counting tags, which costs a fraction of what parsing would, and refused with a message naming the limit.

The declared sizes in the zip directory are checked first (cheap), then the actual inflated bytes while
streaming (a zip can lie about its sizes). Rows and shared strings are counted by their tags (`<row`,
`<si`, with or without a namespace prefix); columns from the highest cell reference (`r="XFD7"`) in a sheet.
The `<dimension>` a sheet claims is not trusted either way: readers here never pad rows to it.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from chiiki.tables._files import TableReadError

__all__ = ["XlsxLimits", "check_xlsx_bounds"]

_CHUNK = 1 << 20
_OVERLAP = 64  # longer than any tag the patterns below match, so a tag split across chunks is counted once
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,20}:)?row[\s>/]")
_SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,20}:)?si[\s>/]")
_CELL_REF = re.compile(rb"\br=\"([A-Z]{1,3})[0-9]{1,7}\"")


@dataclass(frozen=True)
class XlsxLimits:
    """How much one workbook may hold. The defaults suit tables a municipality publishes or a questionnaire."""

    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_shared_strings: int = 1_000_000
    max_rows: int = 300_000
    max_columns: int = 1_000


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def check_xlsx_bounds(data: bytes, limits: XlsxLimits | None = None) -> None:
    """Raise TableReadError naming the limit a workbook exceeds; return quietly when it is within all of them.

    Damaged archives are left to the reader that follows (it names the damage in its own words); only what
    can be read is measured here.
    """
    limits = limits or XlsxLimits()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    with archive:
        entries = archive.infolist()
        _check_declared(entries, limits)
        total = 0
        for entry in entries:
            total += _check_entry(archive, entry, limits, total)


def _check_declared(entries: list[zipfile.ZipInfo], limits: XlsxLimits) -> None:
    declared = sum(entry.file_size for entry in entries)
    if declared > limits.max_uncompressed_bytes:
        raise _too_big(declared, limits)


def _too_big(size: int, limits: XlsxLimits) -> TableReadError:
    mb = limits.max_uncompressed_bytes // 1024 // 1024
    return TableReadError(
        f"Excel ファイルの中身が展開すると {size:,} バイトを超え、上限（{mb} MB）より大きいため読みません。"
        f"CSV で保存するか、ファイルを分けてください / the workbook inflates beyond the {mb} MB limit"
    )


def _check_entry(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, limits: XlsxLimits, before: int) -> int:
    """Stream one entry, counting what its kind bounds; return its actual inflated size."""
    name = entry.filename
    is_sheet = name.startswith("xl/worksheets/") and name.endswith(".xml")
    is_strings = name == "xl/sharedStrings.xml"
    rows = strings = widest = size = 0
    tail = b""
    for chunk in _inflate(archive, entry):
        size += len(chunk)
        if before + size > limits.max_uncompressed_bytes or size > entry.file_size:
            raise _too_big(max(before + size, entry.file_size), limits)
        window = tail + chunk
        fresh = len(tail)
        if is_sheet:
            rows += sum(1 for m in _ROW.finditer(window) if m.end() > fresh)
            widest = max(widest, _widest(window))
            _check_sheet(name, rows, widest, limits)
        elif is_strings:
            strings += sum(1 for m in _SHARED_STRING.finditer(window) if m.end() > fresh)
            _check_strings(strings, limits)
        tail = window[-_OVERLAP:]
    return size


def _inflate(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> Iterator[bytes]:
    try:
        with archive.open(entry) as handle:
            while chunk := handle.read(_CHUNK):
                yield chunk
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError, ValueError):
        return  # damaged: the reader reports it


def _widest(window: bytes) -> int:
    return max((_column_number(m.group(1)) for m in _CELL_REF.finditer(window)), default=0)


def _check_sheet(name: str, rows: int, widest: int, limits: XlsxLimits) -> None:
    sheet = name.rsplit("/", 1)[-1]
    if rows > limits.max_rows:
        raise TableReadError(
            f"Excel のシート（{sheet}）の行が上限 {limits.max_rows:,} 行を超えています。"
            f"CSV で保存するか、ファイルを分けてください / more than {limits.max_rows:,} rows in {sheet}"
        )
    if widest > limits.max_columns:
        raise TableReadError(
            f"Excel のシート（{sheet}）の列が上限 {limits.max_columns:,} 列を超えています（{widest:,} 列）。"
            f"余分な列を削除して保存し直してください / more than {limits.max_columns:,} columns in {sheet}"
        )


def _check_strings(strings: int, limits: XlsxLimits) -> None:
    if strings > limits.max_shared_strings:
        raise TableReadError(
            f"Excel ファイルの共有文字列（sharedStrings）が上限 {limits.max_shared_strings:,} 個を超えています。"
            f"CSV で保存し直してください / more than {limits.max_shared_strings:,} shared strings"
        )
