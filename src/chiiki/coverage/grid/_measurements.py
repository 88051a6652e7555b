"""Measurement logs (drive tests, measurement apps): read in the documented layout, checked, cleaned.

Structural problems refuse the whole file with the row and column named (a missing column, a date, number,
carrier or technology that cannot be read, a file whose coordinates are all swapped). Noise that every log
has is cleaned and counted instead: impossible radio values, duplicate samples, GPS jumps, points outside
Japan.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from chiiki.coverage.grid._layouts import Converted, convert_app_rows, detect_layout
from chiiki.coverage.grid._points import JAPAN_EAST, JAPAN_NORTH, JAPAN_SOUTH, JAPAN_WEST
from chiiki.coverage.grid._vocab import normalize_carrier, normalize_technology
from chiiki.tables import TableReadError, read_delimited

# column -> accepted header spellings (compared after NFKC, lower case, without spaces)
COLUMNS: dict[str, tuple[str, ...]] = {
    "measured_at": ("measured_at", "日時", "測定日時", "time", "timestamp"),
    "latitude": ("latitude", "緯度", "lat"),
    "longitude": ("longitude", "経度", "lon", "lng"),
    "carrier": ("carrier", "事業者", "携帯電話事業者", "operator"),
    "technology": ("technology", "方式", "通信方式", "network_type"),
    "rsrp": ("rsrp", "rsrp(dbm)", "受信電力"),
    "rsrq": ("rsrq", "rsrq(db)", "受信品質"),
    "sinr": ("sinr", "sinr(db)", "snr"),
    "download_mbps": ("download_mbps", "下り(mbps)", "下り速度", "dl_mbps"),
    "upload_mbps": ("upload_mbps", "上り(mbps)", "上り速度", "ul_mbps"),
}
REQUIRED = ("measured_at", "latitude", "longitude", "carrier", "technology")
NUMERIC = ("latitude", "longitude", "rsrp", "rsrq", "sinr", "download_mbps", "upload_mbps")
# 3GPP reporting ranges (TS 36.133 / 38.133, extended RSRQ) and plausible speeds; outside them a sample is noise.
LIMITS: dict[str, tuple[float, float]] = {
    "rsrp": (-156.0, -31.0),
    "rsrq": (-34.0, 3.0),
    "sinr": (-23.0, 40.0),
    "download_mbps": (0.0, 10_000.0),
    "upload_mbps": (0.0, 10_000.0),
}
# Faster than this between two consecutive samples of one carrier is a GPS jump, not a car.
MAX_SPEED_KMH = 250.0
_TIME_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M:%S%.f%z",  # OpenCellID: UTC, written with Z (turned into +0000)
    "%Y.%m.%d_%H.%M.%S",  # G-NetTrack Pro: the phone's local time
)
_MAX_LISTED = 20


class MeasurementFileError(ValueError):
    """A measurement file refused as a whole; `problems` lists each row and column with the reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:_MAX_LISTED]
        more = len(problems) - len(shown)
        text = "\n".join(shown) + (f"\n…ほか {more} 件" if more else "")
        super().__init__(f"測定ファイルを読み込めません。何も取り込んでいません。\n{text}")


@dataclass
class CleanedMeasurements:
    """Samples that passed, as a frame (columns of COLUMNS, measured_at in UTC), and what was set aside."""

    frame: pl.DataFrame
    read_rows: int
    dropped: dict[str, int] = field(default_factory=dict)
    encoding: str = ""
    layout: str = "chiiki"

    def summary(self) -> str:
        """One line for staff: rows read, kept, and each reason rows were set aside."""
        parts = [f"{self.read_rows} 行を読み、{self.frame.height} 件を取り込みました"]
        if self.layout != "chiiki":
            parts[0] = f"{self.layout} の形式で{parts[0]}"
        parts += [f"{reason} {count} 件" for reason, count in self.dropped.items() if count]
        return "、".join(parts)


def _header_key(text: str) -> str:
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", text).strip().lower().split())


def map_header(header: list[str]) -> dict[str, int]:
    """Column name -> index for a file's header; MeasurementFileError names the missing required columns."""
    index = {_header_key(name): position for position, name in enumerate(header)}
    found: dict[str, int] = {}
    for column, spellings in COLUMNS.items():
        for spelling in spellings:
            if _header_key(spelling) in index:
                found[column] = index[_header_key(spelling)]
                break
    missing = [column for column in REQUIRED if column not in found]
    if missing:
        names = "、".join(f"{column}({COLUMNS[column][1]})" for column in missing)
        raise MeasurementFileError(
            [f"1 行目(見出し): 必要な列がありません: {names}。形式は利用者向け文書にあります"]
        )
    return found


def read_measurements(data: bytes, *, label: str = "") -> CleanedMeasurements:
    """Read, check and clean a measurement log (CSV or TSV in any encoding chiiki.tables reads)."""
    try:
        table = read_delimited(data, label=label)
    except TableReadError as error:
        raise MeasurementFileError([str(error)]) from error
    if not table.rows:
        raise MeasurementFileError(["データの行がありません(見出しだけのファイルです)"])
    layout = detect_layout(table.header)
    set_aside: dict[str, int] = {}
    labels: dict[str, str] = {}
    if layout is None:
        columns = map_header(table.header)
        raw = pl.DataFrame(
            {
                name: [row[i].strip() if i < len(row) else "" for row in table.rows]
                for name, i in columns.items()
            },
            schema=dict.fromkeys(columns, pl.String),
        ).with_row_index("row", offset=2)
    else:
        converted = convert_app_rows(layout, table.header, table.rows)
        if not isinstance(converted, Converted):
            raise MeasurementFileError(converted)
        raw, labels, set_aside = converted.raw, converted.labels, converted.dropped
    typed = _typed(raw, labels)
    cleaned = clean_measurements(typed)
    cleaned.dropped = {**set_aside, **cleaned.dropped}
    cleaned.read_rows = len(table.rows)
    cleaned.encoding = table.encoding
    cleaned.layout = layout.name if layout else "chiiki"
    return cleaned


def _typed(raw: pl.DataFrame, labels: dict[str, str] | None = None) -> pl.DataFrame:
    """Cast each column, refusing the file with every unreadable cell named (by the file's own column name)."""
    labels = labels or {}
    problems: list[str] = []
    exprs: list[pl.Expr] = [pl.col("row")]
    for name in NUMERIC:
        if name in raw.columns:
            exprs.append(
                pl.col(name).replace("", None).str.replace_all(",", "").cast(pl.Float64, strict=False)
            )
    parsed_time = pl.coalesce(
        [
            pl.col("measured_at").str.to_datetime(fmt, strict=False, time_zone="Asia/Tokyo")
            for fmt in _TIME_FORMATS
        ]
    )
    exprs.append(parsed_time.dt.convert_time_zone("UTC").alias("measured_at"))
    exprs.append(pl.col("carrier").map_elements(normalize_carrier, return_dtype=pl.String).alias("carrier"))
    exprs.append(
        pl.col("technology").map_elements(normalize_technology, return_dtype=pl.String).alias("technology")
    )
    typed = raw.select(exprs)
    for name in typed.columns:
        if name == "row":
            continue
        bad = raw.filter(typed[name].is_null() & (raw[name] != "")).select("row", name).head(_MAX_LISTED)
        problems += [
            f"{row} 行目の {labels.get(name, name)} 列: 「{value}」を読めません{_hint(name)}"
            for row, value in bad.iter_rows()
        ]
    for name in REQUIRED:
        empty = raw.filter(raw[name] == "").select("row").head(_MAX_LISTED)
        problems += [f"{row} 行目の {labels.get(name, name)} 列: 空です" for (row,) in empty.iter_rows()]
    if problems:
        raise MeasurementFileError(sorted(problems, key=lambda p: int(p.split(" ")[0])))
    for name in NUMERIC:
        if name not in typed.columns:
            typed = typed.with_columns(pl.lit(None, dtype=pl.Float64).alias(name))
    return typed


def _hint(name: str) -> str:
    hints = {
        "carrier": "(docomo・au・softbank・rakuten のいずれか。mcc/mnc は 440-10・440-11・440-20・440-21・440-50〜54)",
        "technology": "(5G・4G・LTE・圏外 のいずれか)",
        "measured_at": "(例: 2026-11-03 10:15:00)",
    }
    return hints.get(name, "(数で書いてください)")


def clean_measurements(frame: pl.DataFrame) -> CleanedMeasurements:
    """Set aside impossible values, duplicates, points outside Japan and GPS jumps; count each reason.

    A file whose points are all outside Japan but inside it with latitude and longitude exchanged is refused:
    its columns are swapped, which cleaning must not hide.
    """
    dropped: dict[str, int] = {}
    outside = ~pl.col("latitude").is_between(JAPAN_SOUTH, JAPAN_NORTH) | ~pl.col("longitude").is_between(
        JAPAN_WEST, JAPAN_EAST
    )
    swapped = pl.col("longitude").is_between(JAPAN_SOUTH, JAPAN_NORTH) & pl.col("latitude").is_between(
        JAPAN_WEST, JAPAN_EAST
    )
    flags = frame.select(outside.alias("outside"), swapped.alias("swapped"))
    if frame.height and flags["swapped"].all():
        raise MeasurementFileError(
            ["緯度と経度の列が逆になっています(すべての行で緯度が 122〜154、経度が 20〜46)"]
        )
    kept = frame.filter(~flags["outside"])
    dropped["日本の範囲外の位置"] = frame.height - kept.height
    impossible = pl.lit(False)
    for name, (low, high) in LIMITS.items():
        impossible = impossible | (pl.col(name).is_not_null() & ~pl.col(name).is_between(low, high))
    before = kept.height
    kept = kept.filter(~impossible)
    dropped["ありえない測定値"] = before - kept.height
    before = kept.height
    kept = kept.unique(
        subset=["measured_at", "latitude", "longitude", "carrier", "technology"],
        keep="first",
        maintain_order=True,
    )
    dropped["重複"] = before - kept.height
    before = kept.height
    kept = drop_gps_jumps(kept)
    dropped["GPS の飛び"] = before - kept.height
    return CleanedMeasurements(frame=kept, read_rows=frame.height, dropped=dropped)


def _speed_to(step: int) -> pl.Expr:
    """km/h between each sample and the sample `step` places away (1: previous, -1: next) of the same carrier."""

    def along(expr: pl.Expr) -> pl.Expr:
        return expr.over(partition_by="carrier", order_by="measured_at")

    lat1, lon1 = pl.col("latitude").radians(), pl.col("longitude").radians()
    lat0 = along(pl.col("latitude").shift(step)).radians()
    lon0 = along(pl.col("longitude").shift(step)).radians()
    seconds = (pl.col("measured_at") - along(pl.col("measured_at").shift(step))).dt.total_seconds().abs()
    haversine = ((lat1 - lat0) / 2).sin() ** 2 + lat0.cos() * lat1.cos() * ((lon1 - lon0) / 2).sin() ** 2
    km = 2 * 6371.0 * haversine.sqrt().arcsin()
    return km / (seconds.clip(lower_bound=1) / 3600)


def drop_gps_jumps(frame: pl.DataFrame, *, max_speed_kmh: float = MAX_SPEED_KMH) -> pl.DataFrame:
    """Drop a sample that is reached from its neighbours of the same carrier faster than `max_speed_kmh`.

    A jump is a point too far from both the sample before and the sample after it, so the good point after
    a jump is kept; the first and last samples of a carrier are kept (one neighbour cannot tell which is off).
    """
    if frame.height < 2:
        return frame
    before, after = _speed_to(1), _speed_to(-1)
    too_fast_before = before.is_not_null() & (before > max_speed_kmh)
    too_fast_after = after.is_not_null() & (after > max_speed_kmh)
    jump = too_fast_before & too_fast_after
    return frame.filter(~jump)
