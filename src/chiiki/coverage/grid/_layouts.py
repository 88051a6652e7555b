"""The export layouts of measurement apps, turned into the documented layout before checking and cleaning.

A file is recognised by its header:

- **G-NetTrack Pro** (Gyokov Solutions, Android): `Timestamp`, `Longitude`, `Latitude`, `Operatorname`,
  `NetworkMode`, `RSRP`, `RSRQ`, `SNR`, `DL_bitrate`, `UL_bitrate`, … (tab or comma separated, `-` for a value
  the phone did not give, the time as `2026.11.03_10.15.00` in the phone's local time, speeds in kbit/s).
- **OpenCellID measurements** (the upload CSV that Tower Collector and other collectors write):
  `lat`, `lon`, `mcc`, `mnc`, …, `signal`, …, `measured_at`, …, `act` (the time in UTC with `Z`, the carrier as
  the mobile country and network codes, the signal in dBm or as Android's ASU).

Samples of older technologies (2G, 3G) say nothing about 4G or 5G coverage; they are set aside and counted.
Every value that cannot be read is named by its row and by the column name the app wrote.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

# Mobile country 440/441 (Japan) and network codes of the four carriers (ITU-T E.212 assignments in Japan).
JAPAN_NETWORKS: dict[tuple[str, str], str] = {
    ("440", "10"): "docomo",
    ("440", "11"): "rakuten",
    ("440", "20"): "softbank",
    ("440", "21"): "softbank",
    ("440", "50"): "au",
    ("440", "51"): "au",
    ("440", "52"): "au",
    ("440", "53"): "au",
    ("440", "54"): "au",
}
OLDER = "older"  # a 2G or 3G sample: set aside
_OLDER_NAMES = frozenset(
    {
        "gsm",
        "gprs",
        "edge",
        "2g",
        "umts",
        "wcdma",
        "hspa",
        "hspa+",
        "hsdpa",
        "hsupa",
        "hspap",
        "3g",
        "cdma",
        "evdo",
        "1xrtt",
        "tdscdma",
        "td-scdma",
    }
)
_FOUR_G = frozenset({"lte", "lte+", "ltea", "lte-a", "lteca", "lte_ca", "4g", "4g+"})
_FIVE_G = frozenset({"5g", "nr", "nrnsa", "nr_nsa", "nrsa", "nr_sa", "5gnsa", "5gsa", "5g+"})
_NO_SERVICE = frozenset({"", "-", "none", "noservice", "outofservice", "out_of_service", "圏外"})
DROPPED_OLDER = "4G・5G 以外の方式(2G・3G)"


def header_key(text: str) -> str:
    """A header or value compared after NFKC, lower case, without spaces."""
    return "".join(unicodedata.normalize("NFKC", text).strip().lower().split())


@dataclass
class Converted:
    """A file in the documented layout's columns (strings, with `row`), what each column was called, what was set aside."""

    raw: pl.DataFrame
    labels: dict[str, str]
    layout: str
    dropped: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class AppLayout:
    name: str
    signature: tuple[str, ...]  # header names (header_key) that together identify the layout
    required: tuple[str, ...]
    convert: Callable[[pl.DataFrame], tuple[pl.DataFrame, dict[str, str]]]


def _technology(value: str) -> str:
    key = header_key(value).replace(" ", "")
    if key in _FOUR_G:
        return "4G"
    if key in _FIVE_G:
        return "5G"
    if key in _NO_SERVICE:
        return "none"
    if key in _OLDER_NAMES:
        return OLDER
    return value


def _missing_as_empty(column: str) -> pl.Expr:
    return pl.when(pl.col(column).is_in(["-", "--"])).then(pl.lit("")).otherwise(pl.col(column))


def _scaled(column: str, factor: float) -> pl.Expr:
    """A numeric text column times `factor`, left as written when it is not a number (so it gets named)."""
    text = _missing_as_empty(column)
    number = text.str.replace_all(",", "").cast(pl.Float64, strict=False)
    return pl.when(number.is_not_null()).then((number * factor).cast(pl.String)).otherwise(text)


def _gnettrack(frame: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, str]]:
    columns = {
        "measured_at": pl.col("timestamp"),
        "latitude": pl.col("latitude"),
        "longitude": pl.col("longitude"),
        "carrier": pl.col("operatorname"),
        "technology": pl.col("networkmode").map_elements(_technology, return_dtype=pl.String),
    }
    labels = {
        "measured_at": "Timestamp",
        "latitude": "Latitude",
        "longitude": "Longitude",
        "carrier": "Operatorname",
        "technology": "NetworkMode",
    }
    for name, source, label in (("rsrp", "rsrp", "RSRP"), ("rsrq", "rsrq", "RSRQ"), ("sinr", "snr", "SNR")):
        if source in frame.columns:
            columns[name] = _missing_as_empty(source)
            labels[name] = label
    for name, source, label in (
        ("download_mbps", "dl_bitrate", "DL_bitrate"),
        ("upload_mbps", "ul_bitrate", "UL_bitrate"),
    ):
        if source in frame.columns:
            columns[name] = _scaled(source, 0.001)  # kbit/s -> Mbit/s
            labels[name] = label
    return frame.select(pl.col("row"), *(expr.alias(name) for name, expr in columns.items())), labels


def _network(mcc: str, mnc: str) -> str:
    carrier = JAPAN_NETWORKS.get((mcc.strip(), mnc.strip().zfill(2)))
    return carrier or f"{mcc.strip()}-{mnc.strip()}"


def _signal_to_dbm(signal: str, technology: str) -> str:
    """The `signal` column: dBm when negative, else Android's ASU (RSRP = ASU − 140 for LTE and NR)."""
    text = signal.strip()
    if text in {"", "-"}:
        return ""
    try:
        value = float(text)
    except ValueError:
        return text
    if value < 0:
        return text
    if technology in {"4G", "5G"} and value <= 97:
        return str(value - 140)
    return ""  # ASU 99 means unknown; an ASU of another technology is not an RSRP


def _opencellid(frame: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, str]]:
    # Every OpenCellID sample had a serving cell: an empty `act` is a mistake, not "no service".
    technology = (
        pl.when(pl.col("act") == "")
        .then(pl.lit(""))
        .otherwise(pl.col("act").map_elements(_technology, return_dtype=pl.String))
    )
    carrier = pl.struct("mcc", "mnc").map_elements(
        lambda v: _network(v["mcc"], v["mnc"]), return_dtype=pl.String
    )
    out = frame.select(
        pl.col("row"),
        pl.col("measured_at").str.replace(r"(?i)z$", "+0000").alias("measured_at"),
        pl.col("lat").alias("latitude"),
        pl.col("lon").alias("longitude"),
        carrier.alias("carrier"),
        technology.alias("technology"),
        *([pl.col("signal")] if "signal" in frame.columns else [pl.lit("").alias("signal")]),
    )
    out = out.with_columns(
        pl.struct("signal", "technology")
        .map_elements(lambda v: _signal_to_dbm(v["signal"], v["technology"]), return_dtype=pl.String)
        .alias("rsrp")
    ).drop("signal")
    labels = {
        "measured_at": "measured_at",
        "latitude": "lat",
        "longitude": "lon",
        "carrier": "mcc/mnc",
        "technology": "act",
        "rsrp": "signal",
    }
    return out, labels


LAYOUTS = (
    AppLayout(
        name="G-NetTrack Pro",
        signature=("operatorname", "networkmode"),
        required=("timestamp", "longitude", "latitude", "operatorname", "networkmode"),
        convert=_gnettrack,
    ),
    AppLayout(
        name="OpenCellID",
        signature=("mcc", "mnc", "act", "measured_at"),
        required=("lat", "lon", "mcc", "mnc", "measured_at", "act"),
        convert=_opencellid,
    ),
)


def detect_layout(header: list[str]) -> AppLayout | None:
    """The app layout whose signature columns are all in the header, or None (the documented layout)."""
    keys = {header_key(name) for name in header}
    for layout in LAYOUTS:
        if all(name in keys for name in layout.signature):
            return layout
    return None


def convert_app_rows(layout: AppLayout, header: list[str], rows: list[list[str]]) -> Converted | list[str]:
    """Rows of an app's export in the documented columns, or the problems (missing columns) that refuse it."""
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        index.setdefault(header_key(name), position)
    missing = [name for name in layout.required if name not in index]
    if missing:
        names = "、".join(missing)
        return [f"1 行目(見出し): {layout.name} の形式ですが、必要な列がありません: {names}"]
    frame = pl.DataFrame(
        {key: [row[i].strip() if i < len(row) else "" for row in rows] for key, i in index.items()},
        schema=dict.fromkeys(index, pl.String),
    ).with_row_index("row", offset=2)
    raw, labels = layout.convert(frame)
    older = raw["technology"] == OLDER
    kept = raw.filter(~older)
    return Converted(raw=kept, labels=labels, layout=layout.name, dropped={DROPPED_OLDER: int(older.sum())})
