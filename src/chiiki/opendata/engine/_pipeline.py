"""Read a file, recognize or apply its standard dataset, normalize, validate, and write the standard CSV."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from chiiki.opendata.engine._gtfs import is_gtfs_zip, validate_gtfs
from chiiki.opendata.engine._headers import ColumnMatch, header_score, map_header, recognize
from chiiki.opendata.engine._reading import RawTable, ReadError, read_table
from chiiki.opendata.engine._report import Problem, Report
from chiiki.opendata.engine._schemas import StandardSchema, resolve_kind
from chiiki.opendata.engine._validation import ROW, fast_check, normalize_and_check, strip_cells

SHIFT_HINT_COLUMNS = 2  # typed columns that read right only one column over before the rows count as shifted


@dataclass
class ValidationResult:
    """The report, and the normalized frame in standard column order (None when the file could not be used)."""

    report: Report
    frame: pl.DataFrame | None


def _fatal(report: Report, message: str, code: str = "unreadable") -> ValidationResult:
    report.problems.append(Problem("error", code, message))
    report.valid = False
    return ValidationResult(report, None)


def validate_file(
    path: str | Path, dataset: str | StandardSchema | None = None, *, file_name: str = ""
) -> ValidationResult:
    """Validate one CSV/XLSX file against a standard dataset (given, or recognized from its header).

    Never raises for bad input: every problem, including an unreadable file, ends up in the report.
    `file_name` is the name the file was published under (default: the path's), a hint for recognition.
    """
    path = Path(path)
    report = Report(file=str(path))
    try:
        schema = _given_schema(dataset)
    except KeyError as exc:
        return _fatal(report, str(exc.args[0]), "unknown_dataset")
    feed = _bus_feed(path, schema, report)
    if feed is not None:
        return feed
    try:
        raw = _read(path)
    except ReadError as exc:
        return _fatal(report, str(exc))
    _note_reading(report, raw)
    if schema is None:
        schema = _recognized_schema(raw, report, file_name or path.name)
        if schema is None:
            return _fatal(report, report.recognition_reason, "unrecognized")
    else:
        report.dataset_how = "指定"
    report.dataset_id, report.dataset_title = schema.id, schema.title
    if not schema.validatable:
        return _fatal(
            report,
            f"「{schema.title}」は外部の基準（{schema.raw['x-chiiki'].get('external_standard', '')}）で検査します。"
            "この検査器では検査しません",
            "external_standard",
        )
    return ValidationResult(report, _layout(raw, schema, report))


def _bus_feed(path: Path, schema: StandardSchema | None, report: Report) -> ValidationResult | None:
    """A GTFS-JP zip checked as a feed (named as bus, or any zip when no kind is named); bus without one refused.

    None when the file is not a bus feed and goes through the table reader.
    """
    if (schema is None or schema.id == "bus") and is_gtfs_zip(path):
        return _gtfs(path, report, "指定" if schema else "判定")
    if schema is not None and schema.id == "bus":
        return _fatal(
            report, "バス情報は GTFS-JP の zip（agency.txt、stops.txt などを含む）で検査します", "not_gtfs"
        )
    return None


def _read(path: Path) -> RawTable:
    """The file as a table; any failure of the reader becomes a ReadError naming what went wrong."""
    try:
        return read_table(path, header_score)
    except ReadError:
        raise
    except (UnicodeError, ValueError, OSError, pl.exceptions.PolarsError) as exc:
        raise ReadError(f"ファイルを表として読めません（{type(exc).__name__}）") from exc


def _given_schema(dataset: str | StandardSchema | None) -> StandardSchema | None:
    """The schema the caller named (None: recognize it from the header); KeyError for an unknown name."""
    if isinstance(dataset, StandardSchema):
        return dataset
    return resolve_kind(dataset) if dataset else None


def _note_reading(report: Report, raw: RawTable) -> None:
    """How the file was read (encoding, format, newline, header row), and the reader's warnings."""
    report.encoding, report.file_format, report.newline = raw.encoding, raw.file_format, raw.newline
    report.header_row, report.title_rows = raw.header_row, raw.title_rows
    report.problems += [Problem("warning", "reading", note) for note in raw.notes]


def _recognized_schema(raw: RawTable, report: Report, file_name: str) -> StandardSchema | None:
    """The standard dataset recognized from the header, noted in the report; None (with the reason) if none."""
    found = recognize(raw.header, file_name)
    if found.schema is None:
        report.recognition_reason = found.reason
        report.rows = raw.frame.height
        return None
    report.dataset_how = "判定"
    report.layout = found.layout
    report.layout_title = "" if found.layout == "current" else found.layout_title
    report.recognition_score = round(found.score, 3)
    return found.schema


def _gtfs(path: Path, report: Report, how: str) -> ValidationResult:
    """A GTFS-JP feed: checked file by file (`_gtfs`); there is no single standard table to write."""
    bus = resolve_kind("bus")
    report.dataset_id, report.dataset_title, report.dataset_how = bus.id, bus.title, how
    validate_gtfs(path, report)
    return ValidationResult(report, None)


def _layout(raw: RawTable, schema: StandardSchema, report: Report) -> pl.DataFrame:
    matches = map_header(raw.header, schema)
    report.columns = [
        {"source": m.source, "target": m.target, "how": m.how, "confidence": m.confidence, "note": m.note}
        for m in matches
        if m.how != "empty"
    ]
    source = raw.frame.with_row_index(ROW).with_columns(
        (pl.col(ROW).cast(pl.Int64) + raw.header_row + 1).alias(ROW)
    )
    source = strip_cells(source, [c for c in source.columns if c != ROW])
    data_cols = [c for c in source.columns if c != ROW]
    if data_cols:
        kept = source.select(pl.any_horizontal([pl.col(c).is_not_null() for c in data_cols]))
        # Filtering copies every column; most files have no blank rows, so look before copying.
        if not kept.to_series().all():
            source = source.filter(kept.to_series())
    report.rows = source.height
    by_target = {m.target: m for m in matches if m.target}
    columns: list[pl.Expr] = [pl.col(ROW)]
    present: set[str] = set()
    for spec in schema.fields:
        match = by_target.get(spec.name)
        if match is not None:
            columns.append(pl.col(f"c{match.index}").alias(spec.name))
            present.add(spec.name)
        elif spec.name == "地方公共団体名" and (derived := _derive_org_name(raw.header, matches)) is not None:
            columns.append(derived.alias(spec.name))
            present.add(spec.name)
            report.columns.append(
                {
                    "source": "都道府県名＋市区町村名",
                    "target": spec.name,
                    "how": "derived",
                    "confidence": 0.9,
                    "note": "",
                }
            )
        elif spec.name == "全国地方公共団体コード" and "市区町村コード" in by_target:
            # Older evacuation-site layouts carry the organization's code as 市区町村コード.
            columns.append(pl.col(f"c{by_target['市区町村コード'].index}").alias(spec.name))
            present.add(spec.name)
            report.columns.append(
                {
                    "source": "市区町村コード",
                    "target": spec.name,
                    "how": "derived",
                    "confidence": 0.9,
                    "note": "",
                }
            )
        else:
            columns.append(pl.lit(None, dtype=pl.String).alias(spec.name))
    frame = source.select(columns)
    _header_problems(schema, matches, present, report)
    _understood(schema, matches, report)
    _shift_hint(source, schema, matches, report)
    frame, problems, fixes = normalize_and_check(frame, schema, present)
    report.problems += problems
    report.fixes += fixes
    report.valid = report.error_count == 0
    return frame


def _understood(schema: StandardSchema, matches: list[ColumnMatch], report: Report) -> None:
    """A file whose columns were mostly not understood is never valid, whatever its rows say."""
    named = [m for m in matches if m.how != "empty"]
    understood = sum(1 for m in named if m.target is not None)
    if named and understood * 2 < len(named):
        report.problems.append(
            Problem(
                "error",
                "columns_not_understood",
                f"見出しの {len(named)} 列のうち「{schema.title}」の列として読めたのは {understood} 列だけです。"
                "別の種類のファイルか、列名が標準と違います（列の対応を確かめてください）",
                report.header_row,
            )
        )


def _shift_hint(
    source: pl.DataFrame, schema: StandardSchema, matches: list[ColumnMatch], report: Report
) -> None:
    """One file-level hint when typed columns' values fit the column next to them instead of their own."""
    width = len([c for c in source.columns if c != ROW])
    for step in (1, -1):
        shifted: list[str] = []
        for m in matches:
            spec = schema.get(m.target) if m.target else None
            other = m.index + step
            if spec is None or spec.check is None or not 0 <= other < width:
                continue
            here = _share_ok(source, f"c{m.index}", spec.check)
            there = _share_ok(source, f"c{other}", spec.check)
            if here is not None and there is not None and here < 0.5 and there >= 0.8:
                shifted.append(spec.name)
        if len(shifted) >= SHIFT_HINT_COLUMNS:
            side = "右" if step == 1 else "左"
            report.problems.append(
                Problem(
                    "warning",
                    "shifted_rows",
                    f"行の値が見出しより1列{side}にずれているようです（{'・'.join(shifted[:5])} の値が隣の列にあります）。"
                    "列の数をそろえてください",
                    report.header_row,
                )
            )
            return


def _share_ok(source: pl.DataFrame, column: str, check: str) -> float | None:
    """Share of the column's non-empty values that pass the check's fast test (None: no such test, or empty)."""
    expr = fast_check(check, pl.col(column))
    if expr is None or column not in source.columns:
        return None
    counts = source.select(
        pl.col(column).is_not_null().sum().alias("n"), expr.fill_null(False).sum().alias("ok")
    )
    n, ok = counts.row(0)
    return ok / n if n else None


def _derive_org_name(header: list[str], matches: list[ColumnMatch]) -> pl.Expr | None:
    parts = [i for i, h in enumerate(header) if h.strip() in ("都道府県名", "市区町村名")]
    if not parts:
        return None
    exprs = [pl.col(f"c{i}").fill_null("") for i in parts]
    joined = pl.concat_str(exprs)
    return pl.when(joined == "").then(None).otherwise(joined)


def _header_problems(
    schema: StandardSchema, matches: list[ColumnMatch], present: set[str], report: Report
) -> None:
    row = report.header_row
    for spec in schema.fields:
        if spec.name in present:
            continue
        if spec.level == "required":
            report.problems.append(Problem("error", "missing_column", "必須の列がありません", row, spec.name))
        elif spec.level == "recommended":
            report.problems.append(
                Problem("warning", "missing_column", "推奨の列がありません", row, spec.name)
            )
    for m in matches:
        if m.how == "fuzzy":
            report.problems.append(
                Problem(
                    "warning",
                    "fuzzy_column",
                    f"列名が似ているので「{m.target}」として読みました（確認してください）",
                    row,
                    m.source,
                )
            )
        elif m.how == "suggestion":
            report.problems.append(
                Problem(
                    "warning",
                    "unknown_column",
                    f"標準にない列です（「{m.note}」のことなら列名を直してください）。出力しません",
                    row,
                    m.source,
                )
            )
        elif m.how in ("none", "legacy-none", "duplicate"):
            why = m.note or "標準にない列なので出力しません"
            report.problems.append(Problem("warning", "unknown_column", why, row, m.source))


def write_standard_csv(frame: pl.DataFrame, out: str | Path, *, bom: bool = False) -> None:
    """Write the normalized frame as a standard UTF-8 CSV atomically (no partial file on failure)."""
    out = Path(out)
    data = frame.drop(ROW) if ROW in frame.columns else frame
    fd, tmp = tempfile.mkstemp(prefix=".chiiki-", suffix=".csv", dir=out.parent or ".")
    try:
        with os.fdopen(fd, "wb") as handle:
            if bom:
                handle.write(b"\xef\xbb\xbf")
            data.write_csv(handle, include_bom=False)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(text: str, out: str | Path) -> None:
    """Write text (UTF-8) atomically."""
    out = Path(out)
    fd, tmp = tempfile.mkstemp(prefix=".chiiki-", suffix=".tmp", dir=out.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def convert_file(
    path: str | Path,
    out: str | Path,
    *,
    dataset: str | StandardSchema | None = None,
    report_path: str | Path | None = None,
    bom: bool = False,
    file_name: str = "",
) -> ValidationResult:
    """Validate `path` and, when it could be laid out in a standard dataset, write the standard CSV to `out`.

    The CSV is written even when data errors remain (the invalid cells keep their value so they can be fixed);
    nothing is written when the file cannot be read or matched to a dataset.
    """
    result = validate_file(path, dataset, file_name=file_name)
    if result.frame is not None:
        write_standard_csv(result.frame, out, bom=bom)
    if report_path is not None:
        write_text_atomic(result.report.to_json() + "\n", report_path)
    return result
