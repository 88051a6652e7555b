"""A streaming writer for SPSS system files (``.sav``, uncompressed, UTF-8).

Like ``_stata.py``, it turns Arrow record batches into NumPy structured arrays of fixed-width cases, one batch
at a time, so memory does not grow with the number of households. It needs the row count and each string
column's widest value up front. Strings longer than 255 bytes are written as SPSS "very long strings"
(segments of 255 bytes, listed in record 7/14); long variable names go in record 7/13. The layout follows the
SPSS system file format as documented by GNU PSPP.
"""

from __future__ import annotations

import struct
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

__all__ = ["MAX_STRING_BYTES", "SpssColumn", "write_sav"]

MAX_STRING_BYTES = 32_767
_SYSMIS = -sys.float_info.max
_LOWEST = struct.unpack("<d", struct.pack("<Q", 0xFFEFFFFFFFFFFFFE))[0]
_SECONDS_1582_TO_1970 = 12_219_379_200  # SPSS counts seconds from 14 Oct 1582 (the Gregorian calendar)
_FORMAT_CODES = {"F": 5, "A": 1, "DATE": 20, "DATETIME": 22}


@dataclass(frozen=True, slots=True)
class SpssColumn:
    """One variable: name, label, storage (``double`` or ``str``), string width in bytes, display."""

    name: str
    label: str
    storage: str
    width: int = 0
    display: str = ""  # "date", "datetime", or "" (numbers: F with ``decimals``)
    decimals: int = 0
    value_labels: Mapping[int, str] | None = None

    @property
    def segments(self) -> list[int]:
        """The widths of the string's segments (one for strings up to 255 bytes, numbers have none)."""
        if self.storage != "str":
            return []
        width = max(1, min(self.width, MAX_STRING_BYTES))
        if width <= 255:
            return [width]
        count = (width + 251) // 252
        return [255] * (count - 1) + [width - (count - 1) * 252]


def _allocated(width: int) -> int:
    return (width + 7) // 8 * 8


def _cut(text: str, size: int) -> bytes:
    raw = text.encode()
    return raw if len(raw) <= size else raw[:size].decode(errors="ignore").encode()


def _format(column: SpssColumn, width: int) -> int:
    if column.storage == "str":
        kind, size, decimals = "A", width, 0
    elif column.display == "date":
        kind, size, decimals = "DATE", 11, 0
    elif column.display == "datetime":
        kind, size, decimals = "DATETIME", 20, 0
    else:
        kind, size, decimals = "F", 12, column.decimals
    return (_FORMAT_CODES[kind] << 16) | (size << 8) | decimals


def _short_names(columns: list[SpssColumn]) -> list[list[str]]:
    """Unique 8-byte upper-case names for every segment of every column (SPSS's short names)."""
    used: set[str] = set()

    def take(base: str) -> str:
        stem = "".join(ch for ch in base.upper() if ch.isascii() and (ch.isalnum() or ch == "_")) or "V"
        if not stem[0].isalpha():
            stem = f"V{stem}"
        candidate, number = stem[:8], 0
        while candidate in used:
            number += 1
            suffix = str(number)
            candidate = stem[: 8 - len(suffix)] + suffix
        used.add(candidate)
        return candidate

    return [[take(column.name) for _ in (column.segments or [0])] for column in columns]


def _variable_records(columns: list[SpssColumn], shorts: list[list[str]]) -> tuple[bytes, list[int], int]:
    """The type-2 records, each column's 1-based dictionary index, and the case size in 8-byte units."""
    out, indexes, position = bytearray(), [], 0
    for column, names in zip(columns, shorts, strict=True):
        indexes.append(position + 1)
        widths = column.segments or [0]
        for number, (width, short) in enumerate(zip(widths, names, strict=True)):
            label = _cut(column.label, 255) if number == 0 and column.label else b""
            fmt = _format(column, width)
            out += struct.pack("<iiiiii8s", 2, width, 1 if label else 0, 0, fmt, fmt, short.encode().ljust(8))
            if label:
                out += struct.pack("<i", len(label)) + label.ljust((len(label) + 3) // 4 * 4, b" ")
            position += 1
            for _ in range(_allocated(width) // 8 - 1 if width else 0):
                out += struct.pack("<iiiiii8s", 2, -1, 0, 0, 0, 0, b" " * 8)
                position += 1
    return bytes(out), indexes, position


def _value_label_records(columns: list[SpssColumn], indexes: list[int]) -> bytes:
    out = bytearray()
    for column, index in zip(columns, indexes, strict=True):
        if not column.value_labels or column.storage == "str":
            continue
        items = sorted(column.value_labels.items())
        out += struct.pack("<ii", 3, len(items))
        for value, text in items:
            label = _cut(text, 120)
            entry = bytes([len(label)]) + label
            out += struct.pack("<d", float(value)) + entry.ljust(_allocated(len(entry)), b" ")
        out += struct.pack("<iii", 4, 1, index)
    return bytes(out)


def _info_records(columns: list[SpssColumn], shorts: list[list[str]]) -> bytes:
    out = bytearray()
    out += struct.pack("<iiii", 7, 3, 4, 8) + struct.pack("<8i", 1, 0, 0, -1, 1, 1, 2, 65001)
    out += struct.pack("<iiii", 7, 4, 8, 3) + struct.pack("<3d", _SYSMIS, sys.float_info.max, _LOWEST)
    long_names = "\t".join(f"{names[0]}={column.name}" for column, names in zip(columns, shorts, strict=True))
    raw = long_names.encode()
    out += struct.pack("<iiii", 7, 13, 1, len(raw)) + raw
    very_long = "".join(
        f"{names[0]}={min(column.width, MAX_STRING_BYTES):05d}\0\t"
        for column, names in zip(columns, shorts, strict=True)
        if len(column.segments) > 1
    ).encode()
    if very_long:
        out += struct.pack("<iiii", 7, 14, 1, len(very_long)) + very_long
    out += struct.pack("<iiii", 7, 20, 1, 5) + b"UTF-8"
    out += struct.pack("<ii", 999, 0)
    return bytes(out)


def _numbers(array: pa.Array) -> np.ndarray:
    if pa.types.is_date32(array.type):
        seconds = pc.add(
            pc.multiply(array.cast(pa.int32()).cast(pa.float64()), 86_400.0), float(_SECONDS_1582_TO_1970)
        )
    elif pa.types.is_timestamp(array.type):
        seconds = pc.add(
            pc.divide(array.cast(pa.int64()).cast(pa.float64()), 1e6), float(_SECONDS_1582_TO_1970)
        )
    else:
        seconds = array.cast(pa.float64())
    values = np.asarray(pc.fill_null(seconds, _SYSMIS).to_numpy(zero_copy_only=False), dtype="<f8")
    return np.where(np.isnan(values), _SYSMIS, values)


def _string_segments(array: pa.Array, column: SpssColumn) -> list[np.ndarray]:
    """Each segment of a string column as space-padded fixed-width bytes (data packed 255 bytes per segment)."""
    widths = column.segments
    capacity = 255 * (len(widths) - 1) + widths[-1]
    values = [_cut(text, capacity) if text else b"" for text in array.cast(pa.string()).to_pylist()]
    arrays = []
    for number, width in enumerate(widths):
        size = _allocated(width)
        start = 255 * number
        chunk = [
            value[start : start + (255 if len(widths) > 1 else width)].ljust(size, b" ") for value in values
        ]
        arrays.append(np.array(chunk, dtype=f"S{size}"))
    return arrays


def write_sav(
    path: Path,
    columns: list[SpssColumn],
    batches: Iterable[pa.RecordBatch],
    rows: int,
    *,
    label: str = "",
    timestamp: datetime | None = None,
) -> Path:
    """Write ``rows`` cases from ``batches`` (columns in the order of ``columns``) to ``path``."""
    stamp = timestamp or datetime.now()  # noqa: DTZ005 - the file's creation stamp, local time
    shorts = _short_names(columns)
    variables, indexes, case_size = _variable_records(columns, shorts)
    case_type = _case_type(columns)
    written = 0
    with path.open("wb") as out:
        out.write(
            _header(case_size, rows, label, stamp)
            + variables
            + _value_label_records(columns, indexes)
            + _info_records(columns, shorts)
        )
        for batch in batches:
            out.write(_cases(batch, columns, case_type).tobytes())
            written += batch.num_rows
    if written != rows:
        raise ValueError(f"expected {rows} rows, got {written}")
    return path


def _header(case_size: int, rows: int, label: str, stamp: datetime) -> bytes:
    """The file header record: layout, case size, number of cases, creation stamp and file label."""
    return struct.pack(
        "<4s60siiiiid9s8s64s3x",
        b"$FL2",
        b"@(#) SPSS DATA FILE Chiiki".ljust(60),
        2,
        case_size,
        0,
        0,
        rows,
        100.0,
        f"{stamp.day:02d} {stamp:%b} {stamp:%y}".encode(),
        stamp.strftime("%H:%M:%S").encode(),
        _cut(label, 64).ljust(64, b" "),
    )


def _case_type(columns: list[SpssColumn]) -> np.dtype:
    """One case as a NumPy record: a double per number, a fixed-width field per string segment."""
    fields: list[tuple[str, str]] = []
    for index, column in enumerate(columns):
        if column.storage == "str":
            fields += [(f"c{index}_{n}", f"S{_allocated(w)}") for n, w in enumerate(column.segments)]
        else:
            fields.append((f"c{index}", "<f8"))
    return np.dtype(fields)


def _cases(batch: pa.RecordBatch, columns: list[SpssColumn], case_type: np.dtype) -> np.ndarray:
    block = np.empty(batch.num_rows, dtype=case_type)
    for index, column in enumerate(columns):
        if column.storage == "str":
            for number, segment in enumerate(_string_segments(batch.column(index), column)):
                block[f"c{index}_{number}"] = segment
        else:
            block[f"c{index}"] = _numbers(batch.column(index))
    return block
