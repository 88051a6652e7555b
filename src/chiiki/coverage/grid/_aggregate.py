"""Evidence on the grid: measurements and reports per cell, each cell's status, population coverage per area.

All of it is columnar (Polars): the benchmark aggregates ten million samples the same way a page does a few
hundred. A cell is keyed by its JIS X 0410 code as text; points are placed with integer cell indices and only
the distinct cells are turned into codes.
"""

from __future__ import annotations

import polars as pl

from chiiki.coverage.grid._mesh import (
    LAT_UNITS,
    LEVEL_DIGITS,
    LEVEL_SIDE,
    LON_UNITS,
    MeshCodeError,
)
from chiiki.coverage.grid._vocab import CARRIERS

# A cell needs this many samples of a carrier before measurements say anything about it.
MIN_SAMPLES = 3
# 4G: usable when this share of samples had 4G or 5G and at least RSRP_USABLE_SHARE of the RSRP readings are
# at or above RSRP_USABLE dBm (a count, so that cells add up exactly; it is "the median RSRP is usable").
SERVICE_SHARE_COVERED = 0.8
RSRP_USABLE = -115.0
RSRP_USABLE_SHARE = 0.5
# Dead: this share of samples had no service at all (圏外).
NO_SERVICE_SHARE_DEAD = 0.5
# 5G: present when this share of samples had 5G; missing when none of at least MIN_SAMPLES had it.
FIVE_G_SHARE_COVERED = 0.5
# Independent households whose reports agree before a cell is a confirmed dead zone on reports alone.
MIN_REPORTERS = 2
_KEY_FACTOR = 100_000
CARRIER_CODES = list(CARRIERS)
STATUSES = ("covered", "dead", "unknown")


def cell_keys(lat: pl.Expr, lon: pl.Expr, level: int) -> pl.Expr:
    """An integer key of the level-`level` cell holding each point (decode with `keys_to_codes`)."""
    if level not in LEVEL_SIDE:
        raise MeshCodeError(f"メッシュの次数 {level} は扱えません(1〜5)")
    side = LEVEL_SIDE[level]
    y = (lat * LAT_UNITS + 1e-9).floor().cast(pl.Int64) // side
    x = ((lon - 100) * LON_UNITS + 1e-9).floor().cast(pl.Int64) // side
    return y * _KEY_FACTOR + x


def coarser_keys(key: pl.Expr, level: int, coarser: int) -> pl.Expr:
    """The key of the level-`coarser` cell holding each level-`level` cell (integer division, exact)."""
    ratio = LEVEL_SIDE[coarser] // LEVEL_SIDE[level]
    return (key // _KEY_FACTOR // ratio) * _KEY_FACTOR + (key % _KEY_FACTOR) // ratio


def code_numbers(key: pl.Expr, level: int) -> pl.Expr:
    """The mesh code of each integer cell key as a number (its digits are the code), in integer arithmetic."""
    side = LEVEL_SIDE[level]
    y = (key // _KEY_FACTOR) * side
    x = (key % _KEY_FACTOR) * side
    code = (y // 320) * 100 + x // 320
    if level >= 2:
        code = code * 100 + ((y % 320) // 40) * 10 + (x % 320) // 40
    if level >= 3:
        code = code * 100 + ((y % 40) // 4) * 10 + (x % 40) // 4
    if level >= 4:
        code = code * 10 + ((y % 4) // 2) * 2 + (x % 4) // 2 + 1
    if level >= 5:
        code = code * 10 + (y % 2) * 2 + x % 2 + 1
    return code


def codes_from_keys(key: pl.Expr, level: int) -> pl.Expr:
    """Mesh codes (text) for integer cell keys of `level`: one number per key, written out. A JIS X 0410 code
    starts with the latitude's 1st-level digits 30–69 (20°–46°N for Japan), so it has no leading zero."""
    return code_numbers(key, level).cast(pl.String)


def keys_to_codes(keys: pl.Series, level: int) -> pl.Series:
    """Mesh codes for integer cell keys of `level`."""
    return pl.select(codes_from_keys(pl.lit(keys), level)).to_series().alias(keys.name)


def place_on_grid(
    frame: pl.DataFrame, level: int, *, lat: str = "latitude", lon: str = "longitude"
) -> pl.DataFrame:
    """The frame with a `mesh` column: the code of the level-`level` cell holding each row's point."""
    return frame.with_columns(
        codes_from_keys(cell_keys(pl.col(lat), pl.col(lon), level), level).alias("mesh")
    )


# Counts per cell and carrier; every one is a sum, so a coarser cell's counts are its finer cells' sums.
COUNTS = (
    "samples",
    "samples_5g",
    "samples_service",
    "samples_none",
    "rsrp_readings",
    "rsrp_usable",
    "download_readings",
)


def _row_counts(frame: pl.DataFrame, level: int) -> pl.LazyFrame:
    """One row per sample: its group (cell key × 8 + carrier number) and 0/1 columns to be summed."""
    carriers = pl.Enum(CARRIER_CODES)
    carrier = pl.col("carrier")
    if frame.schema["carrier"] != carriers:  # an Enum of our carriers is already numbered as we need
        carrier = carrier.cast(pl.String).cast(carriers)
    carrier_number = carrier.to_physical().cast(pl.Int64)
    flag = pl.UInt32
    five, service, none = _technology_flags(frame.schema["technology"])
    return frame.lazy().select(
        (cell_keys(pl.col("latitude"), pl.col("longitude"), level) * 8 + carrier_number).alias("_group"),
        five.cast(flag).alias("samples_5g"),
        service.cast(flag).alias("samples_service"),
        none.cast(flag).alias("samples_none"),
        pl.col("rsrp").is_not_null().cast(flag).alias("rsrp_readings"),
        (pl.col("rsrp") >= RSRP_USABLE).fill_null(False).cast(flag).alias("rsrp_usable"),
        pl.col("download_mbps").is_not_null().cast(flag).alias("download_readings"),
        pl.col("download_mbps").fill_null(0.0).alias("download_total"),
    )


def _technology_flags(dtype: pl.DataType) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Whether each sample had 5G, 4G or 5G, no service. An Enum column is compared by its category numbers
    (no text made for ten million rows); text is compared as text."""
    if isinstance(dtype, pl.Enum):
        number = pl.col("technology").to_physical()
        categories = dtype.categories.to_list()

        def having(*names: str) -> pl.Expr:
            return number.is_in([categories.index(name) for name in names if name in categories])

        return having("5G"), having("4G", "5G"), having("none")
    text = pl.col("technology").cast(pl.String)
    return text == "5G", text.is_in(["4G", "5G"]), text == "none"


# Three counts travel packed in one 63-bit integer (21 bits each) through the group-by, which then sums two
# columns instead of six. Exact while no group has 2**21 samples; a group that has is summed again unpacked.
_FIELD = 1 << 21
_PACKS = (
    ("samples_5g", "samples_service", "samples_none"),
    ("rsrp_readings", "rsrp_usable", "download_readings"),
)


def _summed(groups: pl.LazyFrame, *, samples: bool = False) -> pl.LazyFrame:
    """Sum the counts per group; rows of samples count themselves (`samples`), groups add their counts."""
    count = pl.len().alias("samples") if samples else pl.col("samples").sum()
    packed = [
        (
            pl.col(a).cast(pl.UInt64)
            + pl.col(b).cast(pl.UInt64) * _FIELD
            + pl.col(c).cast(pl.UInt64) * _FIELD**2
        )
        .sum()
        .alias(f"_pack{i}")
        for i, (a, b, c) in enumerate(_PACKS)
    ]
    return groups.group_by("_group").agg(count, *packed, pl.col("download_total").sum())


def _unpacked(groups: pl.DataFrame) -> pl.DataFrame:
    columns = []
    for i, names in enumerate(_PACKS):
        for position, name in enumerate(names):
            columns.append(((pl.col(f"_pack{i}") // _FIELD**position) % _FIELD).cast(pl.UInt32).alias(name))
    return groups.with_columns(*columns).drop("_pack0", "_pack1")


def _summed_exactly(groups: pl.LazyFrame, *, samples: bool = False) -> pl.DataFrame:
    """`_summed`, unpacked; summed column by column instead when a group is too large to pack."""
    summed = _summed(groups, samples=samples).collect()
    if summed.height and int(summed["samples"].max()) >= _FIELD:  # type: ignore[arg-type]
        count = pl.len().alias("samples") if samples else pl.col("samples").sum()
        flags = [name for pack in _PACKS for name in pack]
        return (
            groups.group_by("_group")
            .agg(
                count, *(pl.col(name).sum().cast(pl.UInt32) for name in flags), pl.col("download_total").sum()
            )
            .collect()
        )
    return _unpacked(summed)


def _finished(groups: pl.LazyFrame, level: int) -> pl.LazyFrame:
    """Groups turned into (mesh, carrier) with the counts and the mean download speed."""
    return groups.select(
        codes_from_keys(pl.col("_group") // 8, level).alias("mesh"),
        pl.lit(pl.Series(CARRIER_CODES, dtype=pl.String)).gather(pl.col("_group") % 8).alias("carrier"),
        *COUNTS,
        pl.when(pl.col("download_readings") > 0)
        .then(pl.col("download_total") / pl.col("download_readings"))
        .otherwise(None)
        .alias("download_mean"),
    )


def aggregate_levels(frame: pl.DataFrame, levels: tuple[int, ...] = (5, 4)) -> dict[int, pl.DataFrame]:
    """Per cell and carrier at each of `levels`: samples; with 5G; with 4G or 5G; with no service; RSRP readings
    and those at or above RSRP_USABLE; download readings and their mean.

    Vectorised end to end: each sample becomes one integer (cell key × 8 + carrier number) and 0/1 columns,
    summed by a hash group-by at the finest level; each coarser level sums the finer groups (integer division
    of the keys), so ten million samples are read once. Text codes are made only for the groups.
    """
    finest = max(levels)
    fine = _summed_exactly(_row_counts(frame, finest), samples=True)
    out: dict[int, pl.DataFrame] = {}
    for level in sorted(levels, reverse=True):
        if level == finest:
            groups = fine.lazy()
        else:
            groups = _summed_exactly(
                fine.lazy().with_columns(
                    (coarser_keys(pl.col("_group") // 8, finest, level) * 8 + pl.col("_group") % 8).alias(
                        "_group"
                    )
                )
            ).lazy()
        out[level] = _finished(groups, level).collect()
    return out


def aggregate_measurements(frame: pl.DataFrame, level: int = 5) -> pl.DataFrame:
    """Per cell and carrier at `level`: the counts of `aggregate_levels` and the mean download speed."""
    return aggregate_levels(frame, (level,))[level]


def measurement_verdicts(aggregated: pl.DataFrame) -> pl.DataFrame:
    """Per cell, carrier and technology (4G, 5G): covered, dead or unknown from measurements, with the reason."""
    enough = pl.col("samples") >= MIN_SAMPLES
    share_none = pl.col("samples_none") / pl.col("samples")
    share_service = pl.col("samples_service") / pl.col("samples")
    share_5g = pl.col("samples_5g") / pl.col("samples")
    rsrp_ok = (pl.col("rsrp_readings") == 0) | (
        pl.col("rsrp_usable") >= pl.col("rsrp_readings") * RSRP_USABLE_SHARE
    )
    four = (
        pl.when(enough & (share_none >= NO_SERVICE_SHARE_DEAD))
        .then(pl.lit("dead"))
        .when(enough & (share_service >= SERVICE_SHARE_COVERED) & rsrp_ok)
        .then(pl.lit("covered"))
        .otherwise(pl.lit("unknown"))
    )
    five = (
        pl.when(enough & (pl.col("samples_5g") == 0))
        .then(pl.lit("dead"))
        .when(enough & (share_5g >= FIVE_G_SHARE_COVERED))
        .then(pl.lit("covered"))
        .otherwise(pl.lit("unknown"))
    )
    base = aggregated.select(
        "mesh", "carrier", "samples", "samples_none", "samples_5g", four.alias("4G"), five.alias("5G")
    )
    return base.unpivot(
        index=["mesh", "carrier", "samples", "samples_none", "samples_5g"],
        on=["4G", "5G"],
        variable_name="technology",
        value_name="measured",
    ).select("mesh", "carrier", "technology", "measured", "samples", "samples_none", "samples_5g")


def report_counts(reports: pl.DataFrame, level: int) -> pl.DataFrame:
    """Independent reporters per cell, carrier and technology; `reports` has mesh (any finer level), carrier,
    technology and reporter (one key per household)."""
    digits = LEVEL_DIGITS[level]
    return (
        reports.with_columns(pl.col("mesh").str.slice(0, digits))
        .group_by("mesh", "carrier", "technology")
        .agg(pl.col("reporter").n_unique().alias("reporters"), pl.len().alias("reports"))
        .sort("mesh", "carrier", "technology")
    )


def cell_status(
    verdicts: pl.DataFrame, reports: pl.DataFrame, *, min_reporters: int = MIN_REPORTERS
) -> pl.DataFrame:
    """Per cell, carrier and technology: covered, dead or unknown, from measurements and reports together.

    Dead when measurements say so or `min_reporters` independent households report it (a confirmed dead
    zone); covered when measurements show usable service and no such reports agree against it. Rows come in
    no particular order (sort them for display).
    """
    keys = ["mesh", "carrier", "technology"]
    if not reports.height and verdicts.height:  # nothing to join: every verdict stands as measured
        measured = verdicts.select(*keys, "measured", pl.col("samples").cast(pl.UInt32))
        return measured.with_columns(
            pl.lit(0, dtype=pl.UInt32).alias("reporters"),
            pl.lit(0, dtype=pl.UInt32).alias("reports"),
            pl.col("measured").alias("status"),
            pl.when(pl.col("measured") == "unknown")
            .then(pl.lit(""))
            .otherwise(pl.lit("測定"))
            .alias("evidence"),
        )
    empty_verdicts = pl.DataFrame(
        schema={**dict.fromkeys(keys, pl.String), "measured": pl.String, "samples": pl.UInt32}
    )
    empty_reports = pl.DataFrame(
        schema={**dict.fromkeys(keys, pl.String), "reporters": pl.UInt32, "reports": pl.UInt32}
    )
    left = (
        verdicts.select(*keys, "measured", pl.col("samples").cast(pl.UInt32))
        if verdicts.height
        else empty_verdicts
    )
    right = (
        reports.select(*keys, pl.col("reporters").cast(pl.UInt32), pl.col("reports").cast(pl.UInt32))
        if reports.height
        else empty_reports
    )
    joined = left.join(right, on=keys, how="full", coalesce=True).with_columns(
        pl.col("measured").fill_null("unknown"),
        pl.col("samples").fill_null(0),
        pl.col("reporters").fill_null(0),
        pl.col("reports").fill_null(0),
    )
    confirmed_by_reports = pl.col("reporters") >= min_reporters
    status = (
        pl.when((pl.col("measured") == "dead") | confirmed_by_reports)
        .then(pl.lit("dead"))
        .when(pl.col("measured") == "covered")
        .then(pl.lit("covered"))
        .otherwise(pl.lit("unknown"))
    )
    reason = (
        pl.when((pl.col("measured") == "dead") & confirmed_by_reports)
        .then(pl.lit("測定と住民の報告"))
        .when(pl.col("measured") == "dead")
        .then(pl.lit("測定"))
        .when(confirmed_by_reports)
        .then(pl.lit("住民の報告"))
        .when(pl.col("measured") == "covered")
        .then(pl.lit("測定"))
        .otherwise(pl.lit(""))
    )
    return joined.with_columns(status.alias("status"), reason.alias("evidence"))


def population_coverage(
    population: pl.DataFrame,
    status: pl.DataFrame,
    *,
    carriers: list[str],
    technologies: tuple[str, ...] = ("4G", "5G"),
) -> pl.DataFrame:
    """Population coverage per area, carrier and technology from cells' population and status.

    `population` has area, mesh and population (cells at the level of `status`). A cell without evidence is
    unknown: the lower bound counts only cells shown covered, the upper bound everything not shown dead.
    Only cells with a verdict are joined (one hash join on the code); totals per area come from the
    population alone, and unknown is what is neither covered nor dead.
    """
    people = population.select(
        pl.col("area").cast(pl.String), pl.col("mesh").cast(pl.String), pl.col("population").cast(pl.Int64)
    )
    decided = status.filter(
        pl.col("carrier").is_in(carriers)
        & pl.col("technology").is_in(list(technologies))
        & pl.col("status").is_in(["covered", "dead"])
    ).select(
        pl.col("mesh").cast(pl.String),
        pl.col("carrier").cast(pl.String),
        pl.col("technology").cast(pl.String),
        "status",
    )
    sums = (
        people.join(decided, on="mesh", how="inner")
        .group_by("area", "carrier", "technology")
        .agg(
            pl.col("population").filter(pl.col("status") == "covered").sum().alias("covered"),
            pl.col("population").filter(pl.col("status") == "dead").sum().alias("dead"),
        )
    )
    pairs = pl.DataFrame({"carrier": carriers}).join(
        pl.DataFrame({"technology": list(technologies)}), how="cross"
    )
    totals = people.group_by("area").agg(pl.col("population").sum()).join(pairs, how="cross")
    summed = totals.join(sums, on=["area", "carrier", "technology"], how="left").with_columns(
        pl.col("covered").fill_null(0), pl.col("dead").fill_null(0)
    )
    summed = summed.with_columns(
        (pl.col("population") - pl.col("covered") - pl.col("dead")).alias("unknown")
    ).select("area", "carrier", "technology", "population", "covered", "dead", "unknown")
    total = pl.col("population").cast(pl.Float64)
    return summed.with_columns(
        pl.when(total > 0).then(pl.col("covered") / total * 100).otherwise(None).alias("lower_percent"),
        pl.when(total > 0)
        .then((total - pl.col("dead")) / total * 100)
        .otherwise(None)
        .alias("upper_percent"),
    ).sort("area", "carrier", "technology")


def assess(lower_percent: float | None, upper_percent: float | None, target_percent: float) -> str:
    """'met' when even the lower bound reaches the target, 'not_met' when even the upper bound falls short,
    'undetermined' when the evidence cannot tell (cells without evidence decide it)."""
    if lower_percent is None or upper_percent is None:
        return "undetermined"
    if lower_percent >= target_percent:
        return "met"
    if upper_percent < target_percent:
        return "not_met"
    return "undetermined"
