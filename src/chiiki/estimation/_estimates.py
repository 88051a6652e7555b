"""Totals, means, proportions and ratios with standard errors, overall and by domain.

Variances by Taylor linearisation (stratified, clustered, with-replacement first stage, as R's `svydesign`
without fpc) or by replicate weights. After calibration the linearised scores are replaced by their GREG
residuals on the calibration matrix, which is what R's `survey` does after `calibrate()`; so calibration's
gain in precision shows in the standard errors.

All variables are handled at once as matrices (cluster sums through one sparse product), which is why this is
ours rather than one svy call per variable and domain: bench/estimation.py measures the difference, and
tests/estimation check the numbers against svy and R.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl
import scipy.sparse as sp  # type: ignore[import-untyped]
from scipy import stats

from chiiki.estimation._calibration import CalibrationResult, calibrate_matrix
from chiiki.estimation._design import Design, EstimationError, FloatArray, IntArray, group_codes
from chiiki.estimation._stages import stage_structure

Statistic = Literal["mean", "total"]
VarianceMethod = Literal["taylor", "replicate"]


@dataclass(frozen=True)
class ReplicateWeights:
    """Replicate weights (rows × replicates) and the factor c_r in V = Σ c_r (θ_r − θ)²."""

    matrix: FloatArray
    coefficients: FloatArray
    method: str
    mse: bool = True

    @property
    def n_replicates(self) -> int:
        """Number of replicates."""
        return int(self.matrix.shape[1])

    def calibrated(self, calibration: CalibrationResult) -> ReplicateWeights:
        """Calibrate every replicate the way the full-sample weights were (R does the same)."""
        cols = []
        for r in range(self.n_replicates):
            res = calibrate_matrix(
                self.matrix[:, r], calibration.aux, method=calibration.method, bounds=calibration.bounds
            )
            if not res.converged:
                raise EstimationError(
                    f"反復重み {r + 1} の較正が収束しません / replicate {r + 1} did not converge"
                )
            cols.append(res.weights)
        return ReplicateWeights(np.column_stack(cols), self.coefficients, self.method, self.mse)


class _Linearizer:
    """Precomputed cluster and calibration structure shared by every variable and domain."""

    def __init__(
        self,
        frame: pl.DataFrame,
        design: Design,
        weights: FloatArray,
        calibration: CalibrationResult | None,
        lonely_psu: Literal["error", "skip"],
    ) -> None:
        self.structure = stage_structure(frame, design, lonely_psu)
        self.simple = design.is_simple
        self.psu: IntArray = self.structure.psu
        self.n_psu = self.structure.n_psu
        self.psu_stratum = self.structure.psu_stratum
        self.n_strata = self.structure.n_strata
        self.n_h = self.structure.n_h
        self.df = self.n_psu - self.n_strata
        # One stage: the scale (1 − f_h) n_h / (n_h − 1) is constant within a stratum.
        self.f_psu = self.structure.scale1
        self.f_h = np.zeros(self.n_strata)
        self.f_h[self.psu_stratum] = self.f_psu
        self.n_rows = frame.height
        self.calibration = calibration
        if calibration is not None:
            x = calibration.aux.matrix
            d = calibration.prior_weights
            self.x = x
            self.g = calibration.g
            self.inv_xdx = np.linalg.pinv((x * d[:, None]).T @ x, rcond=1e-13, hermitian=True)
            self.xw = x * weights[:, None]
            # Cluster totals of w·x, their stratum sums and their f-weighted cross-products: fixed for every
            # variable and domain, so each variance needs only products with the domain's own clusters.
            m = self._cluster_sums(np.arange(len(weights)), x * weights[:, None])[1]
            self.psu_wx = m
            self.m_gram = (m * self.f_psu[:, None]).T @ m
            self.m_strata = self._strata_sums(np.arange(self.n_psu), m)

    def _cluster_sums(self, rows: IntArray, scores: FloatArray) -> tuple[IntArray, FloatArray]:
        """Totals of `scores` per cluster present in `rows`; returns (cluster ids, totals)."""
        ids, inverse = np.unique(self.psu[rows], return_inverse=True)
        s = sp.csr_matrix((np.ones(len(rows)), (inverse, np.arange(len(rows)))), shape=(len(ids), len(rows)))
        return ids, np.asarray(s @ scores)

    def _strata_sums(self, clusters: IntArray, values: FloatArray) -> FloatArray:
        strata = self.psu_stratum[clusters]
        q = sp.csr_matrix(
            (np.ones(len(clusters)), (strata, np.arange(len(clusters)))), shape=(self.n_strata, len(clusters))
        )
        return np.asarray(q @ values)

    def variance(self, rows: IntArray, scores: FloatArray) -> FloatArray:
        """Variance of the column sums of `scores` (rows outside `rows` score zero).

        V = Σ_h f_h [Σ_c (t_c − m_c·β)² − (Σ_c (t_c − m_c·β))² / n_h], f_h = n_h / (n_h − 1), with t_c the
        cluster totals and, after calibration, m_c·β the GREG fit removed (β = 0 without calibration). The
        squares are expanded so that clusters outside the domain (t_c = 0) enter only through precomputed sums.
        """
        if not self.simple:
            return self._staged_variance(rows, scores)
        clusters, totals = self._cluster_sums(rows, scores)
        f = self.f_psu[clusters]
        strata_totals = self._strata_sums(clusters, totals)
        first = f @ totals**2
        if self.calibration is not None:
            beta = self._beta(rows, scores)
            cross = (self.psu_wx[clusters] * f[:, None]).T @ totals
            first = first - 2 * np.sum(beta * cross, axis=0) + np.sum(beta * (self.m_gram @ beta), axis=0)
            strata_totals = strata_totals - self.m_strata @ beta
        second = np.divide(self.f_h, self.n_h, out=np.zeros_like(self.n_h), where=self.n_h > 0)
        return np.asarray(first - second @ strata_totals**2)

    def _beta(self, rows: IntArray, scores: FloatArray) -> FloatArray:
        """GREG coefficients of the scores on the calibration variables (R's `qr.resid` on x / g)."""
        g = self.g[rows]
        safe = np.divide(scores, g[:, None], out=np.zeros_like(scores), where=g[:, None] > 0)
        return np.asarray(self.inv_xdx @ (self.x[rows].T @ safe))

    def _staged_variance(self, rows: IntArray, scores: FloatArray) -> FloatArray:
        """Variance through the full residual matrix: multistage and PPS designs (R's `svyrecvar`)."""
        residuals = np.zeros((self.n_rows, scores.shape[1]))
        residuals[rows] = scores
        if self.calibration is not None:
            residuals -= self.xw @ self._beta(rows, scores)
        return self.structure.variance(residuals)


def _domains(frame: pl.DataFrame, by: str | None) -> list[tuple[object, IntArray]]:
    if by is None:
        return [(None, np.arange(frame.height))]
    if frame[by].null_count():
        raise EstimationError(f"領域の列 {by} に欠損値があります / domain column {by} has nulls")
    codes = group_codes(frame, [by])
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(int(codes.max()) + 2 if len(codes) else 1))
    values = frame[by].to_numpy()
    out: list[tuple[object, IntArray]] = []
    for k in range(len(bounds) - 1):
        idx = np.sort(order[bounds[k] : bounds[k + 1]])
        out.append((values[idx[0]].item() if hasattr(values[idx[0]], "item") else values[idx[0]], idx))
    return sorted(out, key=lambda t: str(t[0]))


def _matrix(frame: pl.DataFrame, variables: Sequence[str]) -> tuple[FloatArray, FloatArray]:
    missing = [v for v in variables if v not in frame.columns]
    if missing:
        raise EstimationError(f"変数がありません / variables missing: {missing}")
    block = frame.select([pl.col(v).cast(pl.Float64) for v in variables])
    valid = block.select(pl.all().is_not_null() & pl.all().is_not_nan()).to_numpy().astype(np.float64)
    values = block.fill_nan(None).fill_null(0.0).to_numpy()
    return np.ascontiguousarray(values), np.ascontiguousarray(valid)


def _interval(est: FloatArray, se: FloatArray, df: float, level: float) -> tuple[FloatArray, FloatArray]:
    q = float(stats.t.ppf(0.5 + level / 2, df)) if df > 0 else float(stats.norm.ppf(0.5 + level / 2))
    return est - q * se, est + q * se


def _replicate_variance(theta: FloatArray, reps: FloatArray, rw: ReplicateWeights) -> FloatArray:
    centre = theta[None, :] if rw.mse else reps.mean(axis=0, keepdims=True)
    return np.asarray(rw.coefficients @ (reps - centre) ** 2)


@dataclass(frozen=True)
class _Request:
    """What one call of `estimate` asks for, shared by every block of variables and domain."""

    statistic: Statistic
    by: str | None
    denominator: str | None
    method: VarianceMethod
    level: float
    weights: FloatArray
    linearizer: _Linearizer | None
    replicates: ReplicateWeights | None

    @property
    def is_total(self) -> bool:
        """A plain total (no ratio to a denominator): θ = Σ w·y."""
        return self.statistic == "total" and self.denominator is None


def estimate(
    frame: pl.DataFrame,
    design: Design,
    variables: Sequence[str],
    *,
    statistic: Statistic = "mean",
    by: str | None = None,
    denominator: str | None = None,
    calibration: CalibrationResult | None = None,
    method: VarianceMethod = "taylor",
    replicates: ReplicateWeights | None = None,
    level: float = 0.95,
    lonely_psu: Literal["error", "skip"] = "error",
    block_size: int = 10,
) -> pl.DataFrame:
    """Estimate means or totals (or ratios to `denominator`) of `variables`, with SE, CI and CV.

    A null value leaves that unit out of that variable's mean or ratio (the design is kept); in a total it
    counts as zero. `by` gives one row per domain level; a domain keeps the full design (no row filtering).
    With `calibration`, the weights are `calibration.weights` and the variance accounts for calibration.
    Returns columns: variable, [by], estimate, se, ci_low, ci_high, cv, n, df, method.
    """
    design.check(frame)
    if method == "replicate" and replicates is None:
        raise EstimationError("反復重みがありません / method='replicate' needs replicate weights")
    w = calibration.weights if calibration is not None else design.weights(frame)
    if len(w) != frame.height:
        raise EstimationError("重みの長さがデータと合いません / weights do not match the frame")
    lin = _Linearizer(frame, design, w, calibration, lonely_psu) if method == "taylor" else None
    request = _Request(statistic, by, denominator, method, level, w, lin, replicates)
    domains = _domains(frame, by)
    rows_out: list[tuple[int, int, dict[str, object]]] = []
    # Blocks of variables bound the memory: a block is a few (rows × block) float arrays.
    for start in range(0, len(variables), block_size):
        block = list(variables[start : start + block_size])
        rows_out.extend(_estimate_block(frame, request, block, start, domains))
    rows_out.sort(key=lambda t: (t[0], t[1]))
    return pl.DataFrame([row for _, _, row in rows_out])


def _estimate_block(
    frame: pl.DataFrame,
    request: _Request,
    block: list[str],
    start: int,
    domains: list[tuple[object, IntArray]],
) -> list[tuple[int, int, dict[str, object]]]:
    """Rows (domain index, variable index, row) for one block of variables in every domain."""
    y, valid = _matrix(frame, block)
    x = valid
    if request.denominator is not None:
        xden, xvalid = _matrix(frame, [request.denominator])
        valid = valid * xvalid
        x = np.broadcast_to(xden, y.shape) * valid
    out: list[tuple[int, int, dict[str, object]]] = []
    for d, (level_value, idx) in enumerate(domains):
        yi, xi = y[idx] * valid[idx], x[idx]
        theta, scores = _point_and_scores(request, request.weights[idx], yi, xi)
        var, df = _variance(request, idx, theta, scores, yi, xi)
        n = valid[idx].sum(axis=0)
        for j, row in enumerate(_result_rows(request, block, level_value, theta, var, df, n)):
            out.append((d, start + j, row))
    return out


def _point_and_scores(
    request: _Request, wi: FloatArray, yi: FloatArray, xi: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """The estimates of one domain and their linearised scores (ratio scores divided by the denominator)."""
    if request.is_total:
        return wi @ yi, wi[:, None] * yi
    den = wi @ xi
    theta = np.divide(wi @ yi, den, out=np.full(yi.shape[1], np.nan), where=den > 0)
    scores = wi[:, None] * (yi - theta[None, :] * xi)
    scores = np.divide(scores, den[None, :], out=np.zeros_like(scores), where=den[None, :] > 0)
    return theta, scores


def _variance(
    request: _Request, idx: IntArray, theta: FloatArray, scores: FloatArray, yi: FloatArray, xi: FloatArray
) -> tuple[FloatArray, float]:
    """Variance and degrees of freedom of one domain's estimates, by linearisation or replicates."""
    if request.linearizer is not None:
        return request.linearizer.variance(idx, scores), float(request.linearizer.df)
    replicates = request.replicates
    if replicates is None:  # unreachable: `estimate` checks it
        raise EstimationError("分散の方法が不明です / unknown variance method")
    r = replicates.matrix[idx]
    reps = r.T @ yi if request.is_total else (r.T @ yi) / (r.T @ xi)
    return _replicate_variance(theta, reps, replicates), float(replicates.n_replicates - 1)


def _result_rows(
    request: _Request,
    block: list[str],
    level_value: object,
    theta: FloatArray,
    var: FloatArray,
    df: float,
    n: FloatArray,
) -> list[dict[str, object]]:
    se = np.sqrt(np.maximum(var, 0.0))
    lo, hi = _interval(theta, se, df, request.level)
    rows = []
    for j, name in enumerate(block):
        row: dict[str, object] = {"variable": name}
        if request.by is not None:
            row[request.by] = level_value
        row.update(
            estimate=float(theta[j]),
            se=float(se[j]),
            ci_low=float(lo[j]),
            ci_high=float(hi[j]),
            cv=float(se[j] / abs(theta[j])) if theta[j] else float("nan"),
            n=int(n[j]),
            df=df,
            method=request.method,
        )
        rows.append(row)
    return rows


def estimate_proportions(
    frame: pl.DataFrame,
    design: Design,
    column: str,
    **options: object,
) -> pl.DataFrame:
    """Proportion of each level of categorical `column` (a mean of indicators), with SE and CI.

    Takes the keyword options of `estimate` (by, calibration, method, replicates, level, lonely_psu). Rows
    with a null in `column` are left out of the denominator.
    """
    if column not in frame.columns:
        raise EstimationError(f"変数がありません / variable missing: {column}")
    levels = sorted(frame[column].drop_nulls().unique().to_list(), key=str)
    names = [f"{column}={lv}" for lv in levels]
    isnull = frame[column].is_null()
    indicators = frame.with_columns(
        [
            pl.when(isnull).then(None).otherwise((pl.col(column) == lv).cast(pl.Float64)).alias(name)
            for lv, name in zip(levels, names, strict=True)
        ]
    )
    out = estimate(indicators, design, names, statistic="mean", **options)  # type: ignore[arg-type]
    return out.with_columns(
        pl.col("variable")
        .replace_strict(dict(zip(names, [str(lv) for lv in levels], strict=True)))
        .alias("level"),
        pl.lit(column).alias("variable"),
    )


def estimate_ratio(
    frame: pl.DataFrame,
    design: Design,
    numerator: str,
    denominator: str,
    **options: object,
) -> pl.DataFrame:
    """Ratio of totals numerator / denominator with a linearised (or replicate) SE."""
    return estimate(frame, design, [numerator], denominator=denominator, **options)  # type: ignore[arg-type]
