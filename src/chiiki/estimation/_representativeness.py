"""Representativeness: response rates by group, the R-indicator, and bias against known registry truth."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl

from chiiki.estimation._design import EstimationError, FloatArray


def response_rates(
    sample: pl.DataFrame, responded: str, groups: Sequence[str], weight: str | None = None
) -> pl.DataFrame:
    """Response rate per level of each group column; weighted by `weight` (design weight) when given.

    Columns: group, level, sampled, responded, rate, weighted_rate.
    """
    missing = [c for c in [responded, *groups] if c not in sample.columns]
    if missing:
        raise EstimationError(f"列がありません / columns missing: {missing}")
    w = pl.col(weight).cast(pl.Float64) if weight else pl.lit(1.0)
    r = pl.col(responded).cast(pl.Float64)
    parts = []
    for g in groups:
        parts.append(
            sample.group_by(g)
            .agg(
                pl.len().alias("sampled"),
                r.sum().cast(pl.Int64).alias("responded"),
                ((w * r).sum() / w.sum()).alias("weighted_rate"),
            )
            .with_columns(
                pl.lit(g).alias("group"),
                pl.col(g).cast(pl.String).alias("level"),
                (pl.col("responded") / pl.col("sampled")).alias("rate"),
            )
            .select("group", "level", "sampled", "responded", "rate", "weighted_rate")
            .sort("level")
        )
    return pl.concat(parts)


def r_indicator(propensities: FloatArray, design_weights: FloatArray | None = None) -> float:
    """R-indicator of Schouten, Cobben & Bethlehem (2009): R = 1 − 2·S(ρ).

    S is the design-weighted standard deviation of the response propensities over the whole sample
    (respondents and non-respondents), with divisor N̂ − 1. 1 means every unit was equally likely to respond.
    """
    rho = np.asarray(propensities, dtype=np.float64)
    d = np.ones_like(rho) if design_weights is None else np.asarray(design_weights, dtype=np.float64)
    if rho.size < 2 or rho.shape != d.shape:
        raise EstimationError("傾向スコアと重みの長さが合いません / propensities and weights must match")
    n_hat = float(d.sum())
    mean = float(d @ rho / n_hat)
    s = float(np.sqrt(d @ (rho - mean) ** 2 / (n_hat - 1)))
    return 1.0 - 2.0 * s


def bias_report(
    respondents: pl.DataFrame,
    registry: pl.DataFrame,
    variables: Sequence[str],
    weights: Mapping[str, FloatArray],
) -> pl.DataFrame:
    """Shares of each level of registry-known `variables` among respondents against the registry (truth).

    `weights` names weight vectors for the respondents, e.g. {"unweighted": ones, "calibrated": w}; for
    each one the report gives the estimated share and its bias (share − registry share), in points.
    Columns: variable, level, registry_share, then <name>_share and <name>_bias per weight vector.
    """
    for v in variables:
        if v not in respondents.columns or v not in registry.columns:
            raise EstimationError(f"名簿と回答の両方に {v} が必要です / {v} must be in both frames")
    for name, w in weights.items():
        if len(w) != respondents.height:
            raise EstimationError(f"重み {name} の長さが回答者数と合いません / weight length mismatch")
    parts = []
    for v in variables:
        truth = (
            registry.group_by(v)
            .len()
            .with_columns((pl.col("len") / pl.col("len").sum()).alias("registry_share"))
            .select(pl.col(v).cast(pl.String).alias("level"), "registry_share")
        )
        frame = respondents.select(pl.col(v).cast(pl.String).alias("level")).with_columns(
            [pl.Series(f"__w_{name}", np.asarray(w, dtype=np.float64)) for name, w in weights.items()]
        )
        shares = frame.group_by("level").agg([pl.col(f"__w_{name}").sum() for name in weights])
        shares = shares.with_columns(
            [(pl.col(f"__w_{name}") / pl.col(f"__w_{name}").sum()).alias(f"{name}_share") for name in weights]
        ).drop([f"__w_{name}" for name in weights])
        joined = truth.join(shares, on="level", how="full", coalesce=True).fill_null(0.0)
        joined = joined.with_columns(
            [(pl.col(f"{name}_share") - pl.col("registry_share")).alias(f"{name}_bias") for name in weights]
        )
        parts.append(joined.with_columns(pl.lit(v).alias("variable")).sort("level"))
    cols = ["variable", "level", "registry_share"]
    for name in weights:
        cols += [f"{name}_share", f"{name}_bias"]
    return pl.concat([p.select(cols) for p in parts])


def mean_absolute_bias(report: pl.DataFrame, name: str) -> float:
    """Mean absolute bias (in share points) of weight vector `name` over every level in a bias report."""
    return float(report[f"{name}_bias"].abs().mean())  # type: ignore[arg-type]
