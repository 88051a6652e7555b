"""Calibration of weights to registry totals: raking and linear (GREG), optionally with bounds.

Why our own solver: svy 0.35 rejects bounds in `calibrate` (NOT_SUPPORTED) and only *checks* them after
`rake`. Bounded calibration is what keeps weights sane on a survey with strong non-response, so the Newton
iteration of Deville & Särndal (1992) is implemented here with R's `survey::grake` distance functions and
stopping rule, made globally convergent by a line search on the convex dual: it converges whenever weights
within the bounds meet the totals, and when none do a linear programme says so. Unbounded results
are checked against svy's `rake`/`calibrate` and R in tests/estimation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import polars as pl
from scipy.optimize import linprog  # type: ignore[import-untyped]

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
    reason: str | None = None

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


def _potential(method: Method, u: FloatArray, lo: float, hi: float) -> FloatArray:
    """G(u) with G' = the clipped g(u): the convex function whose weighted sum the calibration minimises."""
    if method == "linear":
        a, b = lo - 1.0, hi - 1.0
        inner = np.clip(u, a, b)
        base = inner + inner**2 / 2
    else:
        a, b = np.log(lo) if lo > 0 else -np.inf, np.log(hi)
        inner = np.clip(u, a if np.isfinite(a) else -700.0, min(b, 700.0))
        base = np.exp(inner)
    below = np.where(u < inner, lo * (u - inner), 0.0) if np.isfinite(lo) else 0.0
    above = np.where(u > inner, hi * (u - inner), 0.0) if np.isfinite(hi) else 0.0
    return np.asarray(base + below + above)


@dataclass
class _Solver:
    """Newton's method on the convex dual F(η) = Σ d·G(xη) − η·T, whose minimiser meets the totals.

    A backtracking line search on F (not on the misfit) makes every step a descent, so the iteration cannot
    stall while a solution exists; where bounds clip many units the Hessian is damped (Levenberg) until the
    step descends.
    """

    x: FloatArray
    prior: FloatArray
    totals: FloatArray
    method: Method
    lo: float
    hi: float

    def __post_init__(self) -> None:
        self.xw = self.x * self.prior[:, None]
        self.scale = 1.0 + np.abs(self.totals)

    def objective(self, eta: FloatArray, u: FloatArray) -> float:
        """F(η), given u = xη."""
        return float(self.prior @ _potential(self.method, u, self.lo, self.hi) - eta @ self.totals)

    def step(
        self, eta: FloatArray, misfit: FloatArray, deriv: FloatArray, damping: float
    ) -> FloatArray | None:
        """A descent step from `eta`, or None when none was found at this damping."""
        hess = (self.xw * deriv[:, None]).T @ self.x
        if damping > 0:
            ridge = damping * (np.diag((self.xw * np.maximum(deriv, 1e-3)[:, None]).T @ self.x) + 1e-12)
            hess = hess + np.diag(ridge)
        direction = np.linalg.pinv(hess, rcond=1e-13, hermitian=True) @ misfit
        slope = float(direction @ misfit)
        if not slope > 0:
            return None
        m0 = float(np.max(np.abs(misfit) / self.scale))
        f0: float | None = None
        t = 1.0
        for _ in range(40):
            trial = eta + t * direction
            u = self.x @ trial
            g = _distance(self.method, u, self.lo, self.hi)[0]
            # A step that halves the misfit is taken at once (the full Newton step near the solution, where F's
            # decrease is below rounding); otherwise Armijo's rule on F keeps every step a descent.
            if float(np.max(np.abs(self.totals - self.xw.T @ g) / self.scale)) < 0.5 * m0:
                return trial - eta
            if f0 is None:
                f0 = self.objective(eta, self.x @ eta)
            if self.objective(trial, u) <= f0 - 1e-4 * t * slope:
                return trial - eta
            t /= 2
        return None


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
    the caller can report it (`reason` says why); `calibrate` raises in that case unless asked not to.
    """
    lo, hi = (-np.inf, np.inf) if bounds is None else (float(bounds[0]), float(bounds[1]))
    if bounds is not None and not lo < 1.0 < hi:
        raise EstimationError("境界は lo < 1 < hi にしてください / bounds must satisfy lo < 1 < hi")
    solver = _Solver(aux.matrix, prior, aux.totals, method, lo, hi)
    eta = np.zeros(aux.matrix.shape[1])
    scale = 1.0 + np.abs(aux.totals)
    history: list[float] = []
    converged = False
    damping = 0.0
    iteration = 0
    for iteration in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        g, deriv = _distance(method, aux.matrix @ eta, lo, hi)
        misfit = aux.totals - solver.xw.T @ g
        history.append(float(np.max(np.abs(misfit) / scale)))
        if history[-1] < epsilon:
            converged = True
            break
        step = solver.step(eta, misfit, deriv, damping)
        while step is None and damping < 1e12:
            damping = max(damping * 10, 1e-8)
            step = solver.step(eta, misfit, deriv, damping)
        if step is None:
            break
        eta = eta + step
        damping /= 100
    g = _distance(method, aux.matrix @ eta, lo, hi)[0]
    weights = prior * g
    rel = float(np.max(np.abs(aux.totals - aux.matrix.T @ weights) / scale))
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
        reason=None if converged else _why_not(prior, aux, lo, hi, max_iter),
    )


def _why_not(prior: FloatArray, aux: AuxiliaryMatrix, lo: float, hi: float, max_iter: int) -> str:
    """Why calibration failed: no weights within the bounds meet the totals (a linear programme), or not yet."""
    if np.isfinite(lo) or np.isfinite(hi):
        xw = aux.matrix * prior[:, None]
        lower = lo if np.isfinite(lo) else None
        upper = hi if np.isfinite(hi) else None
        lp = linprog(
            np.zeros(len(prior)),
            A_eq=xw.T,
            b_eq=aux.totals,
            bounds=[(lower, upper)] * len(prior),
            method="highs",
        )
        if lp.status == 2:  # infeasible
            return (
                f"g を {lo:g}〜{hi:g} に収めたまま母集団の値に合わせる重みは存在しません。"
                "境界を広げるか区分をまとめてください / no weights with g within the bounds meet the totals"
            )
    return (
        f"{max_iter} 回の反復で収束しませんでした。max_iter を増やしてください / "
        f"not converged in {max_iter} iterations"
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
            f"較正が収束しませんでした(最大相対誤差 {result.max_relative_misfit:.3g}): {result.reason} / "
            "calibration did not converge"
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
