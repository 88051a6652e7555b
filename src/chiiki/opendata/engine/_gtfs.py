"""GTFS-JP feeds (標準データセット 21 バス情報): the core files of a zip checked as tables, and their links.

The standard defers to GTFS-JP (国土交通省「標準的なバス情報フォーマット」), which is GTFS plus a few files and
stricter rules (agency_id, feed_info.txt required). A feed is a zip of CSV files; each core file is checked for
its required columns and values (ids, coordinates in Japan, hh:mm:ss times past midnight, YYYYMMDD dates,
0/1 weekday flags), duplicate ids, and the references between files (a trip's route, service and stops).
Everything ends in the same Report as the table validator, so the CLI and pages need nothing new.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from chiiki.opendata.engine._report import Problem, Report

MAX_PER_CHECK = 100  # a feed has millions of stop_times; list this many cells per check, then count the rest

# Value kinds: what a cell must look like (an empty optional cell is always fine).
_PATTERNS = {
    "int": (r"^-?[0-9]+$", "整数にしてください"),
    "flag": (r"^[01]$", "0 か 1 にしてください"),
    "time": (r"^[0-9]{1,2}:[0-5][0-9]:[0-5][0-9]$", "時刻は H:MM:SS（24 時を超えてよい）で書いてください"),
    "date": (r"^[0-9]{8}$", "日付は YYYYMMDD（例 20250401）で書いてください"),
    "url": (r"^https?://\S+$", "http:// か https:// で始まる URL にしてください"),
    "exception": (r"^[12]$", "1（運行を追加）か 2（運行を取りやめ）にしてください"),
}
_RANGES = {"lat": (20.0, 46.0, "緯度"), "lon": (122.0, 154.0, "経度")}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "text"  # text, int, flag, time, date, url, exception, lat, lon
    required: bool = False  # the column must exist and every value be filled


@dataclass(frozen=True)
class FileSpec:
    name: str
    required: bool
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # values unique per row


def _cols(*specs: str) -> tuple[Column, ...]:
    """Columns from "name:kind!" shorthand (! = required)."""
    out = []
    for spec in specs:
        required = spec.endswith("!")
        name, _, kind = spec.rstrip("!").partition(":")
        out.append(Column(name, kind or "text", required))
    return tuple(out)


DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
FILES = (
    FileSpec(
        "agency.txt",
        True,
        _cols(
            "agency_id!", "agency_name!", "agency_url:url!", "agency_timezone!", "agency_lang", "agency_phone"
        ),
        ("agency_id",),
    ),
    FileSpec(
        "agency_jp.txt",
        False,
        _cols("agency_id!", "agency_official_name", "agency_zip_number"),
        ("agency_id",),
    ),
    FileSpec(
        "stops.txt",
        True,
        _cols(
            "stop_id!", "stop_name!", "stop_lat:lat!", "stop_lon:lon!", "location_type:int", "parent_station"
        ),
        ("stop_id",),
    ),
    FileSpec(
        "routes.txt",
        True,
        _cols("route_id!", "agency_id!", "route_short_name", "route_long_name", "route_type:int!"),
        ("route_id",),
    ),
    FileSpec("trips.txt", True, _cols("route_id!", "service_id!", "trip_id!"), ("trip_id",)),
    FileSpec(
        "stop_times.txt",
        True,
        _cols("trip_id!", "arrival_time:time", "departure_time:time", "stop_id!", "stop_sequence:int!"),
        ("trip_id", "stop_sequence"),
    ),
    FileSpec(
        "calendar.txt",
        False,
        _cols("service_id!", *(f"{d}:flag!" for d in DAYS), "start_date:date!", "end_date:date!"),
        ("service_id",),
    ),
    FileSpec(
        "calendar_dates.txt",
        False,
        _cols("service_id!", "date:date!", "exception_type:exception!"),
        ("service_id", "date"),
    ),
    FileSpec(
        "feed_info.txt",
        True,
        _cols(
            "feed_publisher_name!",
            "feed_publisher_url:url!",
            "feed_lang!",
            "feed_start_date:date",
            "feed_end_date:date",
        ),
    ),
)
# (file, column) -> (file, column) it must name a row of.
REFERENCES = (
    ("routes.txt", "agency_id", "agency.txt", "agency_id"),
    ("agency_jp.txt", "agency_id", "agency.txt", "agency_id"),
    ("trips.txt", "route_id", "routes.txt", "route_id"),
    ("stop_times.txt", "trip_id", "trips.txt", "trip_id"),
    ("stop_times.txt", "stop_id", "stops.txt", "stop_id"),
)


def is_gtfs_zip(path: str | Path) -> bool:
    """True for a zip that holds a GTFS feed (stops.txt at its top or in one folder)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return any(Path(n).name == "stops.txt" for n in archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


def validate_gtfs(path: str | Path, report: Report) -> None:
    """Check a GTFS-JP zip; problems go into `report`, which is valid when none is an error."""
    report.file_format, report.encoding, report.header_row = "gtfs-jp zip", "UTF-8", 1
    try:
        tables = _read_feed(Path(path), report)
    except (zipfile.BadZipFile, OSError) as exc:
        report.problems.append(Problem("error", "unreadable", f"zip を開けません（{type(exc).__name__}）"))
        report.valid = False
        return
    for spec in FILES:
        frame = tables.get(spec.name)
        if frame is None:
            if spec.required:
                report.problems.append(
                    Problem("error", "missing_file", "GTFS-JP で必須のファイルがありません", column=spec.name)
                )
            continue
        _check_file(spec, frame, report)
    if "calendar.txt" not in tables and "calendar_dates.txt" not in tables:
        report.problems.append(
            Problem(
                "error",
                "missing_file",
                "calendar.txt か calendar_dates.txt のどちらかが必要です",
                column="calendar.txt",
            )
        )
    _check_references(tables, report)
    _check_services(tables, report)
    report.rows = sum(frame.height for frame in tables.values())
    report.valid = report.error_count == 0


def _read_feed(path: Path, report: Report) -> dict[str, pl.DataFrame]:
    """The feed's text files as all-string frames, by file name; unreadable files become problems."""
    tables: dict[str, pl.DataFrame] = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            name = Path(info.filename).name
            if info.is_dir() or not name.endswith(".txt") or name in tables:
                continue
            data = archive.read(info)
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                report.problems.append(
                    Problem("error", "encoding", "UTF-8 で読めません（GTFS は UTF-8 です）", column=name)
                )
                continue
            if not text.strip():
                tables[name] = pl.DataFrame()
                continue
            try:
                frame = pl.read_csv(io.StringIO(text), infer_schema=False, truncate_ragged_lines=True)
            except pl.exceptions.PolarsError as exc:
                report.problems.append(
                    Problem(
                        "error", "unreadable", f"CSV として読めません（{type(exc).__name__}）", column=name
                    )
                )
                continue
            tables[name] = frame.rename({c: c.strip() for c in frame.columns}).with_columns(
                pl.col(c).str.strip_chars() for c in frame.columns
            )
    return tables


def _row_numbers(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_row_index("__row", offset=2)  # row 1 is the header, as a spreadsheet shows it


def _report_cells(report: Report, bad: pl.DataFrame, file: str, column: str, code: str, message: str) -> None:
    """One problem per offending row, up to MAX_PER_CHECK, then a line counting the rest."""
    for row, value in bad.select("__row", column).head(MAX_PER_CHECK).iter_rows():
        report.problems.append(Problem("error", code, message, int(row), f"{file}: {column}", value))
    if bad.height > MAX_PER_CHECK:
        more = bad.height - MAX_PER_CHECK
        report.problems.append(
            Problem(
                "error", code, f"同じ問題がほかに {more} 行あります（{message}）", column=f"{file}: {column}"
            )
        )


def _check_file(spec: FileSpec, frame: pl.DataFrame, report: Report) -> None:
    rows = _row_numbers(frame)
    for column in spec.columns:
        if column.name not in frame.columns:
            if column.required:
                report.problems.append(
                    Problem(
                        "error", "missing_column", "必須の列がありません", 1, f"{spec.name}: {column.name}"
                    )
                )
            continue
        _check_column(spec.name, column, rows, report)
    if spec.name == "routes.txt" and not {"route_short_name", "route_long_name"} & set(frame.columns):
        report.problems.append(
            Problem(
                "error", "missing_column", "route_short_name か route_long_name が必要です", 1, "routes.txt"
            )
        )
    if spec.key and set(spec.key) <= set(frame.columns):
        dup = rows.filter(~pl.struct(list(spec.key)).is_first_distinct())  # the repeats, not the first
        key = spec.key[-1] if len(spec.key) > 1 else spec.key[0]
        _report_cells(
            report, dup, spec.name, key, "duplicate", f"{' + '.join(spec.key)} が前の行と重複しています"
        )


def _check_column(file: str, column: Column, rows: pl.DataFrame, report: Report) -> None:
    value = pl.col(column.name)
    empty = value.is_null() | (value == "")
    if column.required:
        _report_cells(report, rows.filter(empty), file, column.name, "required", "値が必要です")
    if column.kind in _PATTERNS:
        pattern, message = _PATTERNS[column.kind]
        bad = rows.filter(~empty & ~value.str.contains(pattern))
        _report_cells(report, bad, file, column.name, f"bad_{column.kind}", message)
        if column.kind == "date":
            parsed = value.str.to_date("%Y%m%d", strict=False)
            impossible = rows.filter(~empty & value.str.contains(pattern) & parsed.is_null())
            _report_cells(report, impossible, file, column.name, "bad_date", "存在しない日付です")
    elif column.kind in _RANGES:
        low, high, label = _RANGES[column.kind]
        number = value.cast(pl.Float64, strict=False)
        bad = rows.filter(~empty & (number.is_null() | (number < low) | (number > high)))
        _report_cells(
            report,
            bad,
            file,
            column.name,
            "out_of_range",
            f"{label}は日本の範囲（{low}〜{high}）の数にしてください",
        )


def _check_references(tables: dict[str, pl.DataFrame], report: Report) -> None:
    for file, column, target_file, target_column in REFERENCES:
        source, target = tables.get(file), tables.get(target_file)
        if (
            source is None
            or target is None
            or column not in source.columns
            or target_column not in target.columns
        ):
            continue
        known = target.get_column(target_column).drop_nulls()
        rows = _row_numbers(source)
        value = pl.col(column)
        bad = rows.filter(value.is_not_null() & (value != "") & ~value.is_in(known.implode()))
        _report_cells(
            report, bad, file, column, "unknown_reference", f"{target_file} の {target_column} にない値です"
        )


def _check_services(tables: dict[str, pl.DataFrame], report: Report) -> None:
    """Every trip's service_id must be defined in calendar.txt or calendar_dates.txt."""
    trips = tables.get("trips.txt")
    if trips is None or "service_id" not in trips.columns:
        return
    known: list[str] = []
    for name in ("calendar.txt", "calendar_dates.txt"):
        frame = tables.get(name)
        if frame is not None and "service_id" in frame.columns:
            known += frame.get_column("service_id").drop_nulls().to_list()
    if not known and "calendar.txt" not in tables and "calendar_dates.txt" not in tables:
        return  # already reported as a missing file
    rows = _row_numbers(trips)
    value = pl.col("service_id")
    bad = rows.filter(
        value.is_not_null() & (value != "") & ~value.is_in(pl.Series(known, dtype=pl.String).implode())
    )
    _report_cells(
        report,
        bad,
        "trips.txt",
        "service_id",
        "unknown_reference",
        "calendar.txt にも calendar_dates.txt にもない運行日です",
    )
