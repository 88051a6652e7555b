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
# 4G: usable when this share of samples had 4G or 5G and the median RSRP is at least RSRP_USABLE dBm.
SERVICE_SHARE_COVERED = 0.8
RSRP_USABLE = -115.0
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


def codes_from_keys(key: pl.Expr, level: int) -> pl.Expr:
    """Mesh codes (text) for integer cell keys of `level`, computed column-wise (no Python per cell)."""
    side = LEVEL_SIDE[level]
    y = (key // _KEY_FACTOR) * side
    x = (key % _KEY_FACTOR) * side

    def digits(expr: pl.Expr, width: int = 1) -> pl.Expr:
        text = expr.cast(pl.String)
        return text.str.zfill(width) if width > 1 else text

    parts = [digits(y // 320, 2), digits(x // 320, 2)]
    if level >= 2:
        parts += [digits((y % 320) // 40), digits((x % 320) // 40)]
    if level >= 3:
        parts += [digits((y % 40) // 4), digits((x % 40) // 4)]
    if level >= 4:
        parts.append(digits(((y % 4) // 2) * 2 + (x % 4) // 2 + 1))
    if level >= 5:
        parts.append(digits((y % 2) * 2 + x % 2 + 1))
    return pl.concat_str(parts)


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


def aggregate_measurements(frame: pl.DataFrame, level: int = 5) -> pl.DataFrame:
    """Per cell and carrier: samples, samples with 5G, with 4G or 5G, with no service, median RSRP and speed.

    Cell and carrier are grouped as one integer (cell key × 8 + carrier number), which Polars groups about
    twice as fast as two keys, after sorting on it, which makes the medians several times faster; codes are
    made only for the groups.
    """
    carriers = pl.Enum(CARRIER_CODES)
    carrier_number = pl.col("carrier").cast(pl.String).cast(carriers).to_physical().cast(pl.Int64)
    grouped = (
        frame.lazy()
        .with_columns(
            (cell_keys(pl.col("latitude"), pl.col("longitude"), level) * 8 + carrier_number).alias("_group")
        )
        .sort("_group")  # medians over contiguous groups are several times faster than over scattered ones
        .group_by("_group", maintain_order=True)
        .agg(
            pl.len().alias("samples"),
            (pl.col("technology") == "5G").sum().alias("samples_5g"),
            pl.col("technology").is_in(["4G", "5G"]).sum().alias("samples_service"),
            (pl.col("technology") == "none").sum().alias("samples_none"),
            pl.col("rsrp").median().alias("rsrp_median"),
            pl.col("download_mbps").median().alias("download_median"),
        )
        .with_columns(
            codes_from_keys(pl.col("_group") // 8, level).alias("mesh"),
            pl.col("_group")
            .mod(8)
            .replace_strict(dict(enumerate(CARRIER_CODES)), return_dtype=pl.String)
            .alias("carrier"),
        )
        .drop("_group")
        .collect()
    )
    return grouped.select("mesh", "carrier", pl.exclude("mesh", "carrier"))


def measurement_verdicts(aggregated: pl.DataFrame) -> pl.DataFrame:
    """Per cell, carrier and technology (4G, 5G): covered, dead or unknown from measurements, with the reason."""
    enough = pl.col("samples") >= MIN_SAMPLES
    share_none = pl.col("samples_none") / pl.col("samples")
    share_service = pl.col("samples_service") / pl.col("samples")
    share_5g = pl.col("samples_5g") / pl.col("samples")
    rsrp_ok = pl.col("rsrp_median").is_null() | (pl.col("rsrp_median") >= RSRP_USABLE)
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
    zone); covered when measurements show usable service and no such reports agree against it.
    """
    keys = ["mesh", "carrier", "technology"]
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
    return joined.with_columns(status.alias("status"), reason.alias("evidence")).sort(keys)


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
    """
    pairs = pl.DataFrame({"carrier": carriers}).join(
        pl.DataFrame({"technology": list(technologies)}), how="cross"
    )
    cells = population.join(pairs, how="cross").join(
        status.select("mesh", "carrier", "technology", "status"),
        on=["mesh", "carrier", "technology"],
        how="left",
    )
    cells = cells.with_columns(pl.col("status").fill_null("unknown"))
    summed = cells.group_by("area", "carrier", "technology").agg(
        pl.col("population").sum().alias("population"),
        pl.col("population").filter(pl.col("status") == "covered").sum().alias("covered"),
        pl.col("population").filter(pl.col("status") == "dead").sum().alias("dead"),
        pl.col("population").filter(pl.col("status") == "unknown").sum().alias("unknown"),
    )
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
