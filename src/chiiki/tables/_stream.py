"""Reading a large CSV/TSV file in batches of rows, with the same policy as `read_delimited`.

The file is never held whole: its encoding is chosen by decoding it strictly chunk by chunk (BOMs first,
then UTF-8, cp932 and EUC-JP, in `decode_strictly`'s order), then it is split into rows as it is read.
A file no known encoding reads is refused naming its first unreadable line, as `read_delimited` does.
"""

from __future__ import annotations

import codecs
import csv
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from chiiki.tables._decoding import _CP932_STRAY, CP932, EUC_JP, UTF8, UTF8_BOM, UTF16_BOM, decode_strictly
from chiiki.tables._delimited import sniff_delimiter
from chiiki.tables._files import TableReadError, check_regular_file, check_table_bytes

_CHUNK = 1 << 22
_HEAD = 1 << 16


@dataclass
class StreamedTable:
    """A CSV or TSV file read lazily: its header, how it is read, and its data rows in batches.

    ``batches()`` yields lists of rows; the first row of the first batch is record 2 (the header is 1).
    """

    path: Path
    header: list[str]
    encoding: str
    delimiter: str
    codec: str
    batch_rows: int

    def batches(self) -> Iterator[list[list[str]]]:
        """The data rows, ``batch_rows`` at a time."""
        csv.field_size_limit(sys.maxsize)
        with self.path.open("rb") as raw:
            # utf-8-sig and utf-16 drop the BOM themselves; newline="": a lone CR ends a record.
            text = io.TextIOWrapper(raw, encoding=self.codec, newline="")
            records = csv.reader(text, delimiter=self.delimiter)
            next(records, None)  # the header
            batch: list[list[str]] = []
            for record in records:
                batch.append(record)
                if len(batch) >= self.batch_rows:
                    yield batch
                    batch = []
            if batch:
                yield batch


def stream_delimited(path: str | Path, *, label: str = "", batch_rows: int = 200_000) -> StreamedTable:
    """Open a CSV/TSV file for reading in batches; TableReadError for what `read_table_bytes` and
    `read_delimited` refuse (not a regular file, empty, not a table, no known encoding, no header)."""
    path = Path(path)
    check_regular_file(path)
    what = f"{label}の" if label else ""
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD)
    except OSError as exc:
        raise TableReadError(f"{what}ファイルを開けません: {path}（{exc.strerror}）") from exc
    # The start of the file decides whether it may be a table at all (empty, PDF, image, workbook, binary).
    check_table_bytes(head, label=label)
    codec, encoding = _encoding(path, head)
    if codec is None:
        line = _first_bad_line(path)
        raise TableReadError(
            f"{what}ファイルの {line} 行目が読めません。UTF-8 か Shift_JIS で保存し直してください"
            f" / line {line} is neither UTF-8 nor Shift_JIS",
            line=line,
        )
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding=codec, newline="")
        start = text.read(20000)
    delimiter = sniff_delimiter(start)
    csv.field_size_limit(sys.maxsize)
    header = next(csv.reader(io.StringIO(start, newline=""), delimiter=delimiter), None)
    if header is None or not any(cell.strip() for cell in header):
        raise TableReadError(f"{what}ファイルに見出し行がありません / the file has no header row")
    return StreamedTable(
        path=path,
        header=[cell.strip().lstrip("\ufeff") for cell in header],
        encoding=encoding,
        delimiter=delimiter,
        codec=codec,
        batch_rows=batch_rows,
    )


def _encoding(path: Path, head: bytes) -> tuple[str | None, str]:
    """Python's codec and the encoding's display name, as `decode` would choose them for the whole file."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) and _reads(path, "utf-16"):
        return "utf-16", UTF16_BOM
    if head.startswith(b"\xef\xbb\xbf") and _reads(path, "utf-8-sig"):
        return "utf-8-sig", UTF8_BOM
    for codec, name in (("utf-8", UTF8), ("cp932", CP932), ("euc_jp", EUC_JP)):
        if _reads(path, codec):
            return codec, name
    return None, ""


def _reads(path: Path, codec: str) -> bool:
    """True when every byte of the file decodes strictly (for cp932: without stray code points)."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                text = decoder.decode(chunk)
                if codec == "cp932" and _CP932_STRAY.search(text):
                    return False
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _first_bad_line(path: Path) -> int:
    """The 1-based line that no known encoding reads (lines split on LF, the same in all of them)."""
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if decode_strictly(line.rstrip(b"\n")) is None:
                return number
    return 1
