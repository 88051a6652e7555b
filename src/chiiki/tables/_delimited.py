"""Splitting decoded text into rows: comma or tab, any newline, ragged rows kept as they are."""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass, field

from chiiki.tables._decoding import decode, decode_strictly
from chiiki.tables._files import TableReadError

_SNIFF_LINES = 30


@dataclass
class DelimitedTable:
    """A CSV or TSV file: its header row, its data rows (row i is record i + 2), and how it was read."""

    header: list[str]
    rows: list[list[str]]
    encoding: str
    delimiter: str
    notes: list[str] = field(default_factory=list)


def sniff_delimiter(text: str) -> str:
    """Tab when the first lines hold more tabs than commas, else comma."""
    sample = text[:20000].splitlines()[:_SNIFF_LINES]
    tabs = sum(line.count("\t") for line in sample)
    commas = sum(line.count(",") for line in sample)
    return "\t" if tabs > commas else ","


def read_delimited(data: bytes, *, label: str = "", allow_replacement: bool = False) -> DelimitedTable:
    """Decode and split a CSV/TSV file whose first row is the header.

    Unless `allow_replacement`, a file that is not exactly UTF-8, UTF-16, cp932 or EUC-JP is refused, naming
    the first line that cannot be read, instead of being read with replaced characters.
    """
    decoded = decode(data)
    what = f"{label}の" if label else ""
    if decoded.notes and not allow_replacement:
        line = _first_bad_line(data)
        raise TableReadError(
            f"{what}ファイルの {line} 行目が読めません。UTF-8 か Shift_JIS で保存し直してください"
            f" / line {line} is neither UTF-8 nor Shift_JIS",
            line=line,
        )
    delimiter = sniff_delimiter(decoded.text)
    csv.field_size_limit(sys.maxsize)
    # newline="": a lone CR (old Mac files) ends a record instead of stopping the reader.
    records = csv.reader(io.StringIO(decoded.text, newline=""), delimiter=delimiter)
    header = next(records, None)
    if header is None or not any(cell.strip() for cell in header):
        raise TableReadError(f"{what}ファイルに見出し行がありません / the file has no header row")
    return DelimitedTable(
        header=[cell.strip().lstrip("\ufeff") for cell in header],
        rows=list(records),
        encoding=decoded.encoding,
        delimiter=delimiter,
        notes=list(decoded.notes),
    )


def _first_bad_line(data: bytes) -> int:
    """The 1-based line that no known encoding reads (lines are split on LF, the same in all of them)."""
    for number, line in enumerate(data.split(b"\n"), start=1):
        if decode_strictly(line) is None:
            return number
    return 1
