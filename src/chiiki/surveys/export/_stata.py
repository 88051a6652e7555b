"""A streaming writer for Stata ``.dta`` files (format 118, Stata 14 and later: UTF-8, long labels).

pyreadstat needs the whole table as one DataFrame; this writer takes Arrow record batches one at a time and
turns each into a NumPy structured array of Stata's fixed-width rows, so memory stays at one batch whatever
the number of households. It needs the row count and each string column's widest value up front, which the
export engine learns while spooling. The format is Stata's published ``dta`` specification (version 118).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

__all__ = ["MAX_STRING_BYTES", "StataColumn", "write_dta"]

MAX_STRING_BYTES = 2045  # the widest fixed-width Stata string (str2045)
_TYPE_DOUBLE, _TYPE_LONG, _TYPE_BYTE = 65526, 65528, 65530
_MISSING_DOUBLE = struct.unpack("<d", struct.pack("<Q", 0x7FE0000000000000))[0]  # Stata's "."
_MISSING_LONG = 2_147_483_621
_MISSING_BYTE = 101
_DAYS_1960_TO_1970 = 3653  # Stata counts days (%td) and milliseconds (%tc) from 1 Jan 1960
_MS_1960_TO_1970 = _DAYS_1960_TO_1970 * 86_400_000


@dataclass(frozen=True, slots=True)
class StataColumn:
    """One variable: its name, label, storage (``double``, ``long``, ``byte``, ``str``) and display format."""

    name: str
    label: str
    storage: str
    width: int = 0  # bytes, for str
    display: str = ""  # %td / %tc for dates and times
    value_labels: Mapping[int, str] | None = None


def _fixed(text: str, size: int) -> bytes:
    """``text`` in UTF-8, cut at a character boundary to fit ``size - 1`` bytes, NUL-padded to ``size``."""
    raw = text.encode()
    if len(raw) > size - 1:
        raw = raw[: size - 1].decode(errors="ignore").encode()
    return raw.ljust(size, b"\0")


def _type_code(column: StataColumn) -> int:
    if column.storage == "str":
        return max(1, min(column.width, MAX_STRING_BYTES))
    return {"double": _TYPE_DOUBLE, "long": _TYPE_LONG, "byte": _TYPE_BYTE}[column.storage]


def _numpy_type(column: StataColumn) -> str:
    if column.storage == "str":
        return f"S{_type_code(column)}"
    return {"double": "<f8", "long": "<i4", "byte": "i1"}[column.storage]


def _display_format(column: StataColumn) -> str:
    if column.display:
        return column.display
    if column.storage == "str":
        return f"%{_type_code(column)}s"
    return "%10.0g" if column.storage == "double" else "%9.0g"


def _values(array: pa.Array, column: StataColumn) -> np.ndarray:
    """One Arrow column as the NumPy values Stata stores, missing values included."""
    if column.storage == "str":
        width = _type_code(column)
        encoded = pc.fill_null(array.cast(pa.string()), "").cast(pa.binary())
        if len(encoded) and (pc.max(pc.binary_length(encoded)).as_py() or 0) > width:
            encoded = pc.utf8_slice_codeunits(pc.fill_null(array.cast(pa.string()), ""), 0, width // 4).cast(
                pa.binary()
            )
        return np.array(encoded.to_pylist(), dtype=f"S{width}")
    if pa.types.is_date32(array.type):
        days = pc.add(array.cast(pa.int32()), _DAYS_1960_TO_1970)
        return np.asarray(pc.fill_null(days, _MISSING_LONG).to_numpy(zero_copy_only=False), dtype="<i4")
    if pa.types.is_timestamp(array.type):
        millis = pc.add(pc.divide(array.cast(pa.int64()), 1000).cast(pa.float64()), float(_MS_1960_TO_1970))
        return np.asarray(pc.fill_null(millis, _MISSING_DOUBLE).to_numpy(zero_copy_only=False), dtype="<f8")
    if column.storage == "double":
        values = np.asarray(
            pc.fill_null(array.cast(pa.float64()), _MISSING_DOUBLE).to_numpy(zero_copy_only=False),
            dtype="<f8",
        )
        return np.where(np.isnan(values), _MISSING_DOUBLE, values)
    missing = _MISSING_LONG if column.storage == "long" else _MISSING_BYTE
    numpy_type = "<i4" if column.storage == "long" else "i1"
    return np.asarray(pc.fill_null(array, missing).to_numpy(zero_copy_only=False), dtype=numpy_type)


def _value_label_table(name: str, labels: Mapping[int, str]) -> bytes:
    items = sorted(labels.items())
    texts = [text.encode()[:32_000] + b"\0" for _, text in items]
    offsets, position = [], 0
    for text in texts:
        offsets.append(position)
        position += len(text)
    table = struct.pack("<ii", len(items), position)
    table += struct.pack(f"<{len(items)}i", *offsets) + struct.pack(f"<{len(items)}i", *(v for v, _ in items))
    table += b"".join(texts)
    return b"<lbl>" + struct.pack("<i", len(table)) + _fixed(name, 129) + b"\0\0\0" + table + b"</lbl>"


def write_dta(
    path: Path,
    columns: list[StataColumn],
    batches: Iterable[pa.RecordBatch],
    rows: int,
    *,
    label: str = "",
    timestamp: datetime | None = None,
) -> Path:
    """Write ``rows`` observations from ``batches`` (columns in the order of ``columns``) to ``path``."""
    with path.open("wb") as out:
        _write(out, columns, batches, rows, label, timestamp or datetime.now())  # noqa: DTZ005 - file stamp
    return path


# The sections between the header and the data that describe the variables, each as bytes from the columns.
_DESCRIPTORS: tuple[tuple[str, Callable[[list[StataColumn]], bytes]], ...] = (
    ("variable_types", lambda columns: b"".join(struct.pack("<H", _type_code(c)) for c in columns)),
    ("varnames", lambda columns: b"".join(_fixed(c.name, 129) for c in columns)),
    ("sortlist", lambda columns: b"\0\0" * (len(columns) + 1)),
    ("formats", lambda columns: b"".join(_fixed(_display_format(c), 57) for c in columns)),
    (
        "value_label_names",
        lambda columns: b"".join(_fixed(c.name if c.value_labels else "", 129) for c in columns),
    ),
    ("variable_labels", lambda columns: b"".join(_fixed(c.label[:80], 321) for c in columns)),
    ("characteristics", lambda columns: b""),
)
# The sections whose file offsets the map lists, in order (after the start of the file, before the end tag).
_MAPPED = ("map", *(tag for tag, _ in _DESCRIPTORS), "data", "strls", "value_labels")


class _Sections:
    """Writes ``<tag>…</tag>`` sections and remembers where each starts, for the map."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.offsets: dict[str, int] = {}

    def open(self, tag: str) -> None:
        self.offsets[tag] = self.out.tell()
        self.out.write(f"<{tag}>".encode())

    def write(self, tag: str, content: bytes) -> None:
        self.open(tag)
        self.out.write(content + f"</{tag}>".encode())


def _write(
    out: BinaryIO,
    columns: list[StataColumn],
    batches: Iterable[pa.RecordBatch],
    rows: int,
    label: str,
    timestamp: datetime,
) -> None:
    sections = _Sections(out)
    _write_header(out, len(columns), rows, label, timestamp)
    map_at = out.tell()
    sections.write("map", b"\0" * 8 * 14)  # filled in at the end
    for tag, content in _DESCRIPTORS:
        sections.write(tag, content(columns))
    sections.open("data")
    _write_data(out, columns, batches, rows)
    out.write(b"</data>")
    sections.write("strls", b"")
    sections.write(
        "value_labels",
        b"".join(_value_label_table(c.name, c.value_labels) for c in columns if c.value_labels),
    )
    closing = out.tell()
    out.write(b"</stata_dta>")
    end = out.tell()
    out.seek(map_at + len(b"<map>"))
    out.write(struct.pack("<14Q", 0, *(sections.offsets[tag] for tag in _MAPPED), closing, end))
    out.seek(end)


def _write_header(out: BinaryIO, variables: int, rows: int, label: str, timestamp: datetime) -> None:
    stamp = f"{timestamp.day:02d} {timestamp:%b} {timestamp.year} {timestamp:%H:%M}".encode()
    label_bytes = label.encode()[:320].decode(errors="ignore").encode()
    out.write(b"<stata_dta><header><release>118</release><byteorder>LSF</byteorder>")
    out.write(b"<K>" + struct.pack("<H", variables) + b"</K>")
    out.write(b"<N>" + struct.pack("<Q", rows) + b"</N>")
    out.write(b"<label>" + struct.pack("<H", len(label_bytes)) + label_bytes + b"</label>")
    out.write(b"<timestamp>" + bytes([len(stamp)]) + stamp + b"</timestamp></header>")


def _write_data(
    out: BinaryIO, columns: list[StataColumn], batches: Iterable[pa.RecordBatch], rows: int
) -> None:
    """The observations, one fixed-width row per record, a batch at a time; refuse a wrong row count."""
    row_type = np.dtype([(f"c{i}", _numpy_type(c)) for i, c in enumerate(columns)])
    written = 0
    for batch in batches:
        block = np.empty(batch.num_rows, dtype=row_type)
        for index, column in enumerate(columns):
            block[f"c{index}"] = _values(batch.column(index), column)
        out.write(block.tobytes())
        written += batch.num_rows
    if written != rows:
        raise ValueError(f"expected {rows} rows, got {written}")
