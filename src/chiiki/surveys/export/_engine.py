"""Stream answers into CSV, Parquet, Stata and SPSS files, one per repeat level, plus a codebook.

Answers are read once, converted to typed columns and flushed every ``chunk_size`` households as Arrow record
batches. CSV and Parquet are appended batch by batch. Stata and SPSS files need the row count and every string
column's width before the first row, so the batches are also spooled to Parquet (or the Parquet output is
reused) while the widths are measured, and then streamed into ``.dta`` and ``.sav`` by our own writers
(``_stata.py``, ``_spss.py``), batch by batch: memory does not grow with the number of households in any format.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, Literal

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pyarrow.csv as pa_csv  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from chiiki.surveys.export._plan import Column, ExportPlan, Table
from chiiki.surveys.export._spss import SpssColumn, write_sav
from chiiki.surveys.export._stata import MAX_STRING_BYTES as STATA_MAX_STRING
from chiiki.surveys.export._stata import StataColumn, write_dta
from chiiki.tables import FORMULA_START_PATTERN, PLAIN_NUMBER, excel_safe_row

__all__ = [
    "FORMATS",
    "ExportError",
    "ExportResult",
    "Format",
    "HouseholdRecord",
    "export_answers",
    "write_codebook",
]

Format = Literal["csv", "parquet", "stata", "spss"]
FORMATS: tuple[Format, ...] = ("csv", "parquet", "stata", "spss")
EXTENSIONS: dict[str, str] = {"csv": ".csv", "parquet": ".parquet", "stata": ".dta", "spss": ".sav"}
STATA_MAX_LABEL = 80

HouseholdRecord = tuple[str | int, Mapping[str, Any]] | tuple[str | int, Mapping[str, Any], Mapping[str, Any]]
"""(household key, answer dict) or (household key, answer dict, metadata by MetaColumn name)."""


class ExportError(ValueError):
    """The export cannot be made as asked (message in Japanese, then English)."""


@dataclass(slots=True)
class ExportResult:
    """What an export wrote."""

    files: list[Path] = field(default_factory=list)
    households: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    cut_in_stata: list[tuple[str, str, int]] = field(default_factory=list)
    """(table, column, longest value in bytes) of text columns wider than Stata's str2045: the .dta file holds
    their first 2,045 bytes, the other formats every character, and ``stata_cut_text.txt`` says so."""


# ------------------------------------------------------------------------------------------ value conversion


def _to_int(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else None


def _to_float(value: Any) -> float | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _to_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _to_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # Stata and SPSS have no time zones: callers pass local time
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value).replace(tzinfo=None)
        except ValueError:
            return None
    return None


def _to_text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, list | tuple):
        return " ".join(str(item) for item in value) or None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _selected(value: Any) -> set[str] | None:
    if value is None or value == "":
        return None
    if isinstance(value, list | tuple):
        return {str(item) for item in value}
    return set(str(value).split())


ARROW_TYPES: dict[str, pa.DataType] = {
    "key": pa.string(),
    "index": pa.int32(),
    "string": pa.string(),
    "integer": pa.int64(),
    "decimal": pa.float64(),
    "date": pa.date32(),
    "datetime": pa.timestamp("us"),
    "dummy": pa.int8(),
    "coded": pa.int32(),
}
_CONVERT: dict[str, Callable[[Any], Any]] = {
    "string": _to_text,
    "integer": _to_int,
    "decimal": _to_float,
    "date": _to_date,
    "datetime": _to_datetime,
    "coded": _to_int,
}


def _schema(table: Table) -> pa.Schema:
    return pa.schema([pa.field(column.name, ARROW_TYPES[column.kind]) for column in table.columns])


# ------------------------------------------------------------------------------------------ row extraction


def _lookup(context: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = context
    for step in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return value


class _Buffer:
    """Column-wise values of one table for the current chunk."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.schema = _schema(table)
        self.columns: list[list[Any]] = [[] for _ in table.columns]
        self.readers = [self._reader(column) for column in table.columns]
        self.count = 0

    @staticmethod
    def _reader(column: Column) -> Callable[[Mapping[str, Any], Mapping[str, Any]], Any]:
        if column.kind == "dummy":
            choice = column.choice

            def dummy(context: Mapping[str, Any], meta: Mapping[str, Any]) -> Any:
                selected = _selected(_lookup(context, column.path))
                return None if selected is None else int(choice in selected)

            return dummy
        if column.kind in ("key", "index"):  # filled from the row's keys, never read

            def none(context: Mapping[str, Any], meta: Mapping[str, Any]) -> Any:
                return None

            return none
        convert = _CONVERT[column.kind]
        if not column.source:  # household-level metadata
            name = column.name

            def from_meta(context: Mapping[str, Any], meta: Mapping[str, Any]) -> Any:
                return convert(meta.get(name))

            return from_meta
        path = column.path
        if len(path) == 1:
            key = path[0]

            def direct(context: Mapping[str, Any], meta: Mapping[str, Any]) -> Any:
                return convert(context.get(key))

            return direct

        def nested(context: Mapping[str, Any], meta: Mapping[str, Any]) -> Any:
            return convert(_lookup(context, path))

        return nested

    def add(self, keys: list[Any], context: Mapping[str, Any], meta: Mapping[str, Any]) -> None:
        width = len(keys)
        for index, value in enumerate(keys):
            self.columns[index].append(value)
        for index in range(width, len(self.columns)):
            self.columns[index].append(self.readers[index](context, meta))
        self.count += 1

    def take(self) -> pa.RecordBatch:
        arrays = [
            pa.array(values, type=field.type) for values, field in zip(self.columns, self.schema, strict=True)
        ]
        self.columns = [[] for _ in self.table.columns]
        self.count = 0
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)


def _repeat_rows(
    context: Mapping[str, Any], levels: tuple[tuple[str, ...], ...], indexes: list[int]
) -> Iterator[tuple[list[int], Mapping[str, Any]]]:
    """Every row of the repeat reached through ``levels`` from ``context``, with its 1-based positions."""
    if not levels:
        yield indexes, context
        return
    items = _lookup(context, levels[0])
    if not isinstance(items, list):
        return
    for position, item in enumerate(items, start=1):
        if isinstance(item, Mapping):
            yield from _repeat_rows(item, levels[1:], [*indexes, position])


# ------------------------------------------------------------------------------------------ sinks


class _CsvSink:
    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.writers: dict[str, tuple[IO[bytes], pa_csv.CSVWriter]] = {}
        self.paths: list[Path] = []

    def open(self, table: Table, schema: pa.Schema) -> None:
        path = self.out_dir / f"{table.name}.csv"
        handle = path.open("wb")
        handle.write("\ufeff".encode())  # the BOM makes Excel read UTF-8
        options = pa_csv.WriteOptions(include_header=True, quoting_style="needed")
        self.writers[table.name] = (handle, pa_csv.CSVWriter(handle, schema, write_options=options))
        self.paths.append(path)

    def write(self, table: Table, batch: pa.RecordBatch) -> None:
        self.writers[table.name][1].write_batch(_excel_safe_batch(batch))

    def close(self) -> list[Path]:
        for handle, writer in self.writers.values():
            writer.close()
            handle.close()
        return self.paths


def _excel_safe_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    """The batch with its text columns made safe for Excel (chiiki.tables); numbers stay numbers.

    Only the CSV, which carries a BOM for Excel, goes through this; Parquet, Stata and SPSS keep the raw text.
    """
    columns = []
    for column in batch.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            risky = pc.and_(
                pc.match_substring_regex(column, FORMULA_START_PATTERN),
                pc.invert(pc.match_substring_regex(column, f"^{PLAIN_NUMBER}$")),
            )
            column = pc.if_else(risky, pc.binary_join_element_wise("'", column, ""), column)
        columns.append(column)
    return pa.RecordBatch.from_arrays(columns, schema=batch.schema)


class _ParquetSink:
    def __init__(self, out_dir: Path, *, suffix: str = ".parquet") -> None:
        self.out_dir = out_dir
        self.suffix = suffix
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.paths: dict[str, Path] = {}

    def open(self, table: Table, schema: pa.Schema) -> None:
        path = self.out_dir / f"{table.name}{self.suffix}"
        self.writers[table.name] = pq.ParquetWriter(path, schema, compression="zstd")
        self.paths[table.name] = path

    def write(self, table: Table, batch: pa.RecordBatch) -> None:
        self.writers[table.name].write_batch(batch)

    def close(self) -> list[Path]:
        for writer in self.writers.values():
            writer.close()
        return list(self.paths.values())


def _label(column: Column, language: str) -> str:
    text = column.label.get(language) or column.label.get("default") or next(iter(column.label.values()), "")
    return text[:STATA_MAX_LABEL]


def _value_labels(plan: ExportPlan, table: Table, language: str) -> dict[str, dict[int, str]]:
    labels: dict[str, dict[int, str]] = {}
    for column in table.columns:
        if column.kind == "coded":
            labels[column.name] = {
                int(name): (text.get(language) or text.get("default") or name)[:STATA_MAX_LABEL]
                for name, text in column.choices
            }
        elif column.kind == "dummy":
            labels[column.name] = {0: "0", 1: "1"} if language != "ja" else {0: "選択なし", 1: "選択"}
    return labels


def _write_spss(
    plan: ExportPlan,
    spooled: Mapping[str, Path],
    widths: Mapping[str, list[int]],
    rows: Mapping[str, int],
    out_dir: Path,
    language: str,
) -> list[Path]:
    """Stream each spooled table into a .sav file, one record batch at a time."""
    written: list[Path] = []
    for table in plan.tables:
        value_labels = _value_labels(plan, table, language)
        columns = [
            SpssColumn(
                column.name,
                _label(column, language),
                "str" if column.kind in ("key", "string") else "double",
                widths[table.name][index],
                column.kind if column.kind in ("date", "datetime") else "",
                2 if column.kind == "decimal" else 0,
                value_labels.get(column.name),
            )
            for index, column in enumerate(table.columns)
        ]
        batches = pq.ParquetFile(spooled[table.name]).iter_batches(batch_size=10_000)
        title = f"{plan.form.title} ({table.name})"
        written.append(
            write_sav(out_dir / f"{table.name}.sav", columns, batches, rows[table.name], label=title)
        )
    return written


def _measure(table: Table, batch: pa.RecordBatch, widths: list[int]) -> None:
    """Widen ``widths`` to the longest UTF-8 value (bytes) of each string column in ``batch``."""
    for index, column in enumerate(table.columns):
        if column.kind in ("key", "string"):
            longest = pc.max(pc.binary_length(batch.column(index))).as_py() or 0
            widths[index] = max(widths[index], longest)


_STATA_STORAGE: dict[str, tuple[str, str]] = {
    "key": ("str", ""),
    "string": ("str", ""),
    "index": ("long", ""),
    "integer": (
        "double",
        "",
    ),  # answers can pass Stata's long range (yen amounts); doubles hold 2**53 exactly
    "decimal": ("double", ""),
    "date": ("long", "%td"),
    "datetime": ("double", "%tc"),
    "dummy": ("byte", ""),
    "coded": ("long", ""),
}


def _write_stata(
    plan: ExportPlan,
    spooled: Mapping[str, Path],
    widths: Mapping[str, list[int]],
    rows: Mapping[str, int],
    out_dir: Path,
    language: str,
) -> list[Path]:
    """Stream each spooled table into a .dta file, one record batch at a time."""
    written: list[Path] = []
    for table in plan.tables:
        value_labels = _value_labels(plan, table, language)
        columns = [
            StataColumn(
                column.name,
                _label(column, language),
                _STATA_STORAGE[column.kind][0],
                min(widths[table.name][index], STATA_MAX_STRING),
                _STATA_STORAGE[column.kind][1],
                value_labels.get(column.name),
            )
            for index, column in enumerate(table.columns)
        ]
        batches = pq.ParquetFile(spooled[table.name]).iter_batches(batch_size=10_000)
        title = f"{plan.form.title} ({table.name})"
        written.append(
            write_dta(out_dir / f"{table.name}.dta", columns, batches, rows[table.name], label=title)
        )
    return written


# ------------------------------------------------------------------------------------------ the export


def write_codebook(plan: ExportPlan, path: Path) -> Path:
    """Write the codebook (one row per variable of every table) as CSV with BOM."""
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(
            [
                "file",
                "variable",
                "label_ja",
                "label_en",
                "type",
                "question",
                "question_type",
                "choice",
                "choices",
            ]
        )
        for table in plan.tables:
            for column in table.columns:
                choices = " | ".join(
                    f"{name}={text.get('ja') or text.get('default') or ''}"
                    + (f" / {text['en']}" if text.get("en") else "")
                    for name, text in column.choices
                )
                writer.writerow(
                    excel_safe_row(
                        [
                            table.name,
                            column.name,
                            column.label.get("ja") or column.label.get("default", ""),
                            column.label.get("en", ""),
                            column.kind,
                            column.source,
                            column.source_type,
                            column.choice or "",
                            choices,
                        ]
                    )
                )
    return path


def _requested_formats(formats: Iterable[Format], chunk_size: int) -> list[Format]:
    """The formats asked for, each once; refuse an unknown format, none at all, or a chunk size below one."""
    wanted = list(dict.fromkeys(formats))
    unknown = [fmt for fmt in wanted if fmt not in FORMATS]
    if unknown or not wanted:
        raise ExportError(f"形式は {', '.join(FORMATS)} から選んでください (unknown format: {unknown})")
    if chunk_size < 1:
        raise ExportError("chunk_size must be positive")
    return wanted


class _Stream:
    """The rows of every table, gathered a chunk of households at a time and written to every sink."""

    def __init__(
        self, plan: ExportPlan, sinks: Mapping[str, _CsvSink | _ParquetSink], *, measure: bool
    ) -> None:
        self.plan = plan
        self.sinks = sinks
        self.measure = measure
        self.buffers = {table.name: _Buffer(table) for table in plan.tables}
        for table in plan.tables:
            for sink in sinks.values():
                sink.open(table, self.buffers[table.name].schema)
        self.result = ExportResult(rows={table.name: 0 for table in plan.tables})
        # Stata's strings are fixed width: learn each string column's widest value (bytes) while spooling.
        self.widths = {table.name: [1] * len(table.columns) for table in plan.tables}

    def write(self, records: Iterable[HouseholdRecord], chunk_size: int) -> None:
        pending = 0
        for record in records:
            self.add(record)
            pending += 1
            if pending >= chunk_size:
                self.flush()
                pending = 0
        self.flush()

    def add(self, record: HouseholdRecord) -> None:
        """One household's row in each table, and a row per instance of each repeat."""
        key = str(record[0])
        data = record[1]
        meta: Mapping[str, Any] = record[2] if len(record) > 2 else {}
        for table in self.plan.tables:
            buffer = self.buffers[table.name]
            if not table.repeat_path:
                buffer.add([key], data, meta)
                continue
            for indexes, context in _repeat_rows(data, table.repeat_path, []):
                buffer.add([key, *indexes], context, meta)
        self.result.households += 1

    def flush(self) -> None:
        for table in self.plan.tables:
            buffer = self.buffers[table.name]
            if buffer.count:
                self.result.rows[table.name] += buffer.count
                batch = buffer.take()
                for sink in self.sinks.values():
                    sink.write(table, batch)
                if self.measure:
                    _measure(table, batch, self.widths[table.name])


def _too_wide_for_stata(plan: ExportPlan, widths: Mapping[str, list[int]]) -> list[tuple[str, str, int]]:
    return [
        (table.name, column.name, widths[table.name][index])
        for table in plan.tables
        for index, column in enumerate(table.columns)
        if widths[table.name][index] > STATA_MAX_STRING
    ]


def _write_stata_cut_note(cut: list[tuple[str, str, int]], path: Path) -> Path:
    """Say which texts the .dta files hold only in part (never cut without a word)."""
    lines = [
        f"Stata の文字列は {STATA_MAX_STRING:,} バイトまでです。次の列は .dta では先頭 {STATA_MAX_STRING:,} バイトだけを"
        "収めています。全文は CSV と Parquet にあります。",
        f"Stata strings hold at most {STATA_MAX_STRING:,} bytes. In the .dta files these columns hold only their first "
        f"{STATA_MAX_STRING:,} bytes; CSV and Parquet hold the full text.",
        "",
        "table\tcolumn\tlongest_bytes",
        *(f"{table}\t{column}\t{longest}" for table, column, longest in cut),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


_STATISTICAL_WRITERS = {"stata": _write_stata, "spss": _write_spss}
"""The formats written from the spool once every row has been seen, in the order they are written."""


def export_answers(
    plan: ExportPlan,
    records: Iterable[HouseholdRecord],
    out_dir: Path,
    formats: Iterable[Format],
    *,
    chunk_size: int = 2_000,
    language: str = "ja",
) -> ExportResult:
    """Write every table of ``plan`` in each of ``formats`` into ``out_dir`` (created; files are replaced).

    ``records`` is read once, lazily: pass a generator over the database so that the survey is never held in
    memory. Returns the files written (tables per format, then ``codebook.csv``) and the row counts.
    """
    wanted = _requested_formats(formats, chunk_size)
    out_dir.mkdir(parents=True, exist_ok=True)
    statistical = [fmt for fmt in _STATISTICAL_WRITERS if fmt in wanted]
    sinks: dict[str, _CsvSink | _ParquetSink] = {}
    if "csv" in wanted:
        sinks["csv"] = _CsvSink(out_dir)
    if "parquet" in wanted:
        sinks["parquet"] = _ParquetSink(out_dir)
    spool_dir: Path | None = None
    if statistical and "parquet" not in sinks:
        spool_dir = Path(tempfile.mkdtemp(prefix=".spool-", dir=out_dir))
        sinks["spool"] = _ParquetSink(spool_dir)
    try:
        stream = _Stream(plan, sinks, measure=bool(statistical))
        stream.write(records, chunk_size)
        result = stream.result
        closed = {name: sink.close() for name, sink in sinks.items()}
        for fmt in ("csv", "parquet"):
            result.files.extend(closed.get(fmt, []))
        spooled = sinks.get("parquet") or sinks.get("spool")
        for fmt in statistical:
            assert isinstance(spooled, _ParquetSink)  # noqa: S101 - created above for these formats
            writer = _STATISTICAL_WRITERS[fmt]
            result.files.extend(writer(plan, spooled.paths, stream.widths, result.rows, out_dir, language))
        if "stata" in statistical:
            result.cut_in_stata = _too_wide_for_stata(plan, stream.widths)
            if result.cut_in_stata:
                result.files.append(
                    _write_stata_cut_note(result.cut_in_stata, out_dir / "stata_cut_text.txt")
                )
        result.files.append(write_codebook(plan, out_dir / "codebook.csv"))
    finally:
        if spool_dir is not None:
            shutil.rmtree(spool_dir, ignore_errors=True)
    return result
