"""Calibration of weights to registry totals: raking and linear (GREG), optionally with bounds.

Why our own solver: svy 0.35 rejects bounds in `calibrate` (NOT_SUPPORTED) and only *checks* them after
`rake`; samplics 0.6 accepts `bounded=` but ignores it. Bounded calibration is what keeps weights sane on a
survey with strong non-response, so the Newton iteration of Deville & Särndal (1992) is implemented here, the
same iteration as R's `survey::grake` (same distance functions, same stopping rule). Unbounded results
are checked against svy's `rake`/`calibrate` and R in tests/estimation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import polars as pl

from chiiki.estimation._design import EstimationError, FloatArray

Method = Literal["linear", "raking"]
Controls = Mapping[str, Mapping[object, float]]


@dataclass(frozen=True)
class AuxiliaryMatrix:
    """Indicator (or numeric) columns of the calibration model with their population totals."""

    matrix: FloatArray
    totals: FloatArray
    labels: list[str]

    @property
    def n_columns(self) -> int:
        """Number of calibration constraints (some may be redundant, e.g. margins sharing the total)."""
        return len(self.labels)


@dataclass(frozen=True)
class CalibrationResult:
    """Calibrated weights with what is needed to report on them and to linearise variances."""

    weights: FloatArray
    prior_weights: FloatArray
    aux: AuxiliaryMatrix
    method: Method
    bounds: tuple[float, float] | None
    converged: bool
    iterations: int
    max_relative_misfit: float
    history: list[float] = field(default_factory=list)

    @property
    def g(self) -> FloatArray:
        """Adjustment factors g = calibrated / prior weight (0 where the prior weight is 0)."""
        out = np.zeros_like(self.weights)
        pos = self.prior_weights > 0
        out[pos] = self.weights[pos] / self.prior_weights[pos]
        return out


def auxiliary_matrix(
    frame: pl.DataFrame,
    controls: Controls,
    numeric: Mapping[str, float] | None = None,
) -> AuxiliaryMatrix:
    """Build the calibration matrix: one indicator column per level of each margin, plus numeric totals.

    `controls` maps a column (e.g. "age_sex", "district", "hh_size") to {level: population count}. Every level
    seen in the data must have a control, otherwise the registry and the sample disagree and we refuse.
    """
    cols: list[FloatArray] = []
    totals: list[float] = []
    labels: list[str] = []
    for column, levels in controls.items():
        if column not in frame.columns:
            raise EstimationError(f"較正の列がありません / calibration column missing: {column}")
        series = frame[column]
        seen = set(series.unique().to_list())
        unknown = seen - set(levels)
        if unknown:
            raise EstimationError(
                f"列 {column} の水準 {sorted(map(str, unknown))} に母集団の値がありません / "
                "levels without a registry total"
            )
        for level, total in levels.items():
            ind = (series == level).fill_null(False).cast(pl.Float64).to_numpy()
            if not ind.any() and total > 0:
                raise EstimationError(
                    f"列 {column}={level} の回答者がいないため較正できません / "
                    "no respondent in a calibration cell with a positive total; collapse cells"
                )
            cols.append(ind)
            totals.append(float(total))
            labels.append(f"{column}={level}")
    for column, total in (numeric or {}).items():
        cols.append(frame[column].cast(pl.Float64).to_numpy())
        totals.append(float(total))
        labels.append(column)
    if not cols:
        raise EstimationError("較正の条件がありません / no calibration controls")
    return AuxiliaryMatrix(np.column_stack(cols), np.asarray(totals), labels)


def _distance(method: Method, u: FloatArray, lo: float, hi: float) -> tuple[FloatArray, FloatArray]:
    """g(u) clipped to the bounds, and its derivative (0 where clipped), for the chosen distance."""
    raw = 1.0 + u if method == "linear" else np.exp(np.clip(u, -700.0, 700.0))
    g = np.clip(raw, lo, hi)
    inside = (raw > lo) & (raw < hi)
    deriv = np.where(inside, 1.0 if method == "linear" else raw, 0.0)
    return g, deriv


def calibrate_matrix(
    prior: FloatArray,
    aux: AuxiliaryMatrix,
    *,
    method: Method = "raking",
    bounds: tuple[float, float] | None = None,
    epsilon: float = 1e-10,
    max_iter: int = 100,
) -> CalibrationResult:
    """Calibrate `prior` weights so that sum(w * x) equals the totals, by Newton's method.

    `bounds=(lo, hi)` limits g = w / prior. Convergence: max |misfit| / (1 + |total|) < epsilon, R's rule.
    Returns a result with `converged=False` (not an exception) when bounds make the totals unreachable, so
    the caller can report it; `calibrate` raises in that case unless asked not to.
    """
    x = aux.matrix
    lo, hi = (-np.inf, np.inf) if bounds is None else (float(bounds[0]), float(bounds[1]))
    if bounds is not None and not lo < 1.0 < hi:
        raise EstimationError("境界は lo < 1 < hi にしてください / bounds must satisfy lo < 1 < hi")
    xw = x * prior[:, None]
    eta = np.zeros(x.shape[1])
    g, deriv = _distance(method, x @ eta, lo, hi)
    scale = 1.0 + np.abs(aux.totals)
    history: list[float] = []
    converged = False
    iteration = 0
    for iteration in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        misfit = aux.totals - xw.T @ g
        rel = float(np.max(np.abs(misfit) / scale))
        history.append(rel)
        if rel < epsilon:
            converged = True
            break
        hess = (xw * deriv[:, None]).T @ x
        step = np.linalg.pinv(hess, rcond=1e-13, hermitian=True) @ misfit
        # Halve the step while it makes the misfit worse (raking far from the solution can overshoot).
        for _ in range(30):
            g_new, d_new = _distance(method, x @ (eta + step), lo, hi)
            new_rel = float(np.max(np.abs(aux.totals - xw.T @ g_new) / scale))
            if np.all(np.isfinite(g_new)) and new_rel <= rel * (1 + 1e-12) + epsilon:
                break
            step = step / 2
        eta = eta + step
        g, deriv = g_new, d_new
    weights = prior * g
    misfit = aux.totals - x.T @ weights
    rel = float(np.max(np.abs(misfit) / scale))
    converged = converged or rel < epsilon
    return CalibrationResult(
        weights=weights,
        prior_weights=prior,
        aux=aux,
        method=method,
        bounds=None if bounds is None else (lo, hi),
        converged=converged,
        iterations=iteration,
        max_relative_misfit=rel,
        history=history,
    )


def calibrate(
    frame: pl.DataFrame,
    weight: str,
    controls: Controls,
    *,
    method: Method = "raking",
    bounds: tuple[float, float] | None = None,
    numeric: Mapping[str, float] | None = None,
    epsilon: float = 1e-10,
    max_iter: int = 100,
    require_convergence: bool = True,
) -> CalibrationResult:
    """Calibrate the weights in column `weight` of `frame` to registry `controls`.

    `method="raking"` (multiplicative, weights stay positive) or `"linear"` (GREG); `bounds` limit the
    adjustment factor g. Raises EstimationError when it does not converge, unless `require_convergence=False`.
    """
    if weight not in frame.columns:
        raise EstimationError(f"重みの列がありません / weight column missing: {weight}")
    prior = frame[weight].cast(pl.Float64).to_numpy()
    aux = auxiliary_matrix(frame, controls, numeric)
    _check_consistent_margins(controls)
    result = calibrate_matrix(prior, aux, method=method, bounds=bounds, epsilon=epsilon, max_iter=max_iter)
    if require_convergence and not result.converged:
        raise EstimationError(
            f"較正が収束しませんでした(最大相対誤差 {result.max_relative_misfit:.3g})。"
            "境界を広げるか区分をまとめてください / calibration did not converge"
        )
    return result


def _check_consistent_margins(controls: Controls) -> None:
    """Margins of one population must add up to the same total; raking cannot meet inconsistent margins."""
    sums = [float(sum(levels.values())) for levels in controls.values()]
    if sums and max(sums) - min(sums) > 1e-6 * max(1.0, max(sums)):
        raise EstimationError(f"各周辺の合計が一致しません / margin totals differ: {sums}")


def controls_from_registry(registry: pl.DataFrame, columns: Sequence[str]) -> dict[str, dict[object, float]]:
    """Population counts per level of each column, from a registry frame with one row per resident."""
    out: dict[str, dict[object, float]] = {}
    for col in columns:
        counts = registry.group_by(col).len().sort(col)
        out[col] = {k: float(v) for k, v in zip(counts[col].to_list(), counts["len"].to_list(), strict=True)}
    return out
