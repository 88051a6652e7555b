"""Base weights, non-response adjustment, trimming and weight diagnostics.

The adjustments themselves run in svy (weighting-class adjustment, survey logistic regression, trimming);
this module turns a frame and column names into those calls and gives back plain NumPy weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import polars as pl
import svy

from chiiki.estimation._calibration import CalibrationResult
from chiiki.estimation._design import Design, EstimationError, FloatArray

_ROW = "__chiiki_row"
_RESP = "__chiiki_responded"


def design_weights(frame: pl.DataFrame, probabilities: str | Sequence[str]) -> FloatArray:
    """Design weights 1 / π from stored selection probabilities (several stages multiply)."""
    cols = [probabilities] if isinstance(probabilities, str) else list(probabilities)
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise EstimationError(f"抽出確率の列がありません / probability columns missing: {missing}")
    prob = np.ones(frame.height)
    for col in cols:
        p = frame[col].cast(pl.Float64).to_numpy()
        if np.isnan(p).any() or (p <= 0).any() or (p > 1).any():
            raise EstimationError(
                f"抽出確率 {col} は 0 < p ≤ 1 でなければなりません / probabilities must be in (0, 1]"
            )
        prob = prob * p
    return 1.0 / prob


def _svy_sample(frame: pl.DataFrame, design: Design, extra: Sequence[str]) -> svy.Sample:
    design.check(frame)
    data = frame.select([*design.columns(), *[c for c in extra if c not in design.columns()]])
    data = data.with_row_index(_ROW)
    return svy.Sample(data, svy.Design(stratum=design.strata, psu=design.psu, wgt=design.weight))


def sample_frame(sample: svy.Sample) -> pl.DataFrame:
    """The data of a svy sample as an eager frame, in original row order when we numbered the rows."""
    data = sample.data
    frame = data.collect() if isinstance(data, pl.LazyFrame) else data
    return frame.sort(_ROW) if _ROW in frame.columns else frame


def _responded(frame: pl.DataFrame, responded: str) -> pl.Series:
    if responded not in frame.columns:
        raise EstimationError(f"回答の列がありません / response column missing: {responded}")
    flag = frame[responded].cast(pl.Boolean)
    if flag.null_count():
        raise EstimationError(f"回答の列 {responded} に欠損値があります / response flag has nulls")
    if not flag.any():
        raise EstimationError("回答者がいません / no respondents")
    return flag


def adjust_nonresponse_by_class(
    frame: pl.DataFrame, design: Design, responded: str, cells: str | Sequence[str]
) -> FloatArray:
    """Weighting-class adjustment: within each cell, respondents carry the weight of non-respondents.

    Returns one weight per row of `frame` (0 for non-respondents). A cell without respondents is an error:
    collapse it with a neighbour first.
    """
    flag = _responded(frame, responded)
    cell_cols = [cells] if isinstance(cells, str) else list(cells)
    empty = (
        frame.with_columns(flag.alias(_RESP))
        .group_by(cell_cols)
        .agg(pl.col(_RESP).sum())
        .filter(pl.col(_RESP) == 0)
    )
    if empty.height:
        raise EstimationError(
            "回答者のいない調整区分があります。区分をまとめてください / "
            f"cells without respondents: {empty.rows()[:5]}"
        )
    sample = _svy_sample(frame.with_columns(flag.cast(pl.Int8).alias(_RESP)), design, [*cell_cols, _RESP])
    adjusted = sample.weighting.adjust(
        _RESP, cells=cell_cols, resp_mapping={"rr": 1, "nr": 0}, wgt_name="nr_wgt", respondents_only=False
    )
    out = sample_frame(adjusted)["nr_wgt"].to_numpy().astype(np.float64)
    return np.where(flag.to_numpy(), out, 0.0)


def response_propensities(
    frame: pl.DataFrame,
    design: Design,
    responded: str,
    covariates: Sequence[str],
    categorical: Sequence[str] = (),
) -> FloatArray:
    """Response propensity of every sampled unit from a design-weighted logistic regression (svy GLM)."""
    flag = _responded(frame, responded)
    data = frame.with_columns(flag.cast(pl.Int8).alias(_RESP))
    sample = _svy_sample(data, design, [*covariates, _RESP])
    terms: list[str | svy.Cat] = [svy.Cat(c) if c in categorical else c for c in covariates]
    model = sample.glm.fit(y=_RESP, x=terms, family="binomial")
    pred = model.predict(sample_frame(sample).drop(_ROW))
    yhat: FloatArray = pred.to_polars()["yhat"].to_numpy().astype(np.float64)
    return np.clip(yhat, 1e-6, 1.0)


def adjust_nonresponse_by_propensity(
    frame: pl.DataFrame,
    design: Design,
    responded: str,
    covariates: Sequence[str],
    *,
    categorical: Sequence[str] = (),
    mode: Literal["classes", "inverse"] = "classes",
    n_classes: int = 5,
) -> FloatArray:
    """Non-response adjustment by response propensity (logistic regression on registry variables).

    `mode="classes"` (default, more stable) forms `n_classes` classes of similar propensity and adjusts
    within them; `mode="inverse"` divides respondents' weights by their own propensity.
    """
    prop = response_propensities(frame, design, responded, covariates, categorical)
    flag = _responded(frame, responded).to_numpy()
    if mode == "inverse":
        return np.where(flag, design.weights(frame) / prop, 0.0)
    edges = np.quantile(prop, np.linspace(0, 1, n_classes + 1)[1:-1])
    classes = np.searchsorted(edges, prop, side="right")
    cls = "__chiiki_propensity_class"
    return adjust_nonresponse_by_class(frame.with_columns(pl.Series(cls, classes)), design, responded, cls)


TrimRule = Literal["proportional", "equal"]


def trim_weights(
    frame: pl.DataFrame,
    design: Design,
    *,
    upper: float | None = None,
    lower: float | None = None,
    by: str | None = None,
    redistribute: bool = True,
    rule: TrimRule = "proportional",
    strict: bool = False,
) -> FloatArray:
    """Cap weights at `upper` (and raise those below `lower`), spreading the trimmed amount over the others.

    `rule="proportional"` (svy's trimming, the default) spreads it in proportion to the untrimmed weights and
    repeats until no weight is out of bounds. `rule="equal"` is R's `trimWeights`: the trimmed amount is
    shared equally among the units that were not trimmed, once (so a weight may end outside the bounds), or
    repeated until none is with `strict=True` (R's `strict=TRUE`). With `by`, each group is trimmed apart.
    """
    if upper is None and lower is None:
        raise EstimationError("upper か lower を指定してください / give upper or lower")
    if rule == "equal":
        return _trim_equal(frame, design, upper, lower, by, strict=strict)
    if rule != "proportional":
        raise EstimationError(f"不明な規則です / unknown trimming rule: {rule}")
    extra = [by] if by else []
    sample = _svy_sample(frame, design, extra)
    trimmed = sample.weighting.trim(
        upper=upper, lower=lower, by=by, redistribute=redistribute, wgt_name="trim_wgt", min_cell_size=1
    )
    return sample_frame(trimmed)["trim_wgt"].to_numpy().astype(np.float64)


def _trim_equal(
    frame: pl.DataFrame,
    design: Design,
    upper: float | None,
    lower: float | None,
    by: str | None,
    *,
    strict: bool,
) -> FloatArray:
    design.check(frame)
    w = design.weights(frame).copy()
    groups = (
        [np.arange(frame.height)]
        if by is None
        else [np.flatnonzero(frame[by].to_numpy() == level) for level in frame[by].unique().to_list()]
    )
    hi = np.inf if upper is None else float(upper)
    lo = -np.inf if lower is None else float(lower)
    for idx in groups:
        w[idx] = _trim_equal_once(w[idx], lo, hi, strict=strict)
    return w


def _trim_equal_once(w: FloatArray, lo: float, hi: float, *, strict: bool) -> FloatArray:
    """R's trimWeights on one group of weights."""
    for _ in range(1000):
        outside = (w < lo) | (w > hi)
        if not outside.any():
            return w
        if outside.all():
            raise EstimationError("すべての重みが範囲外です / every weight is outside the bounds")
        clipped = np.clip(w, lo, hi)
        clipped[~outside] += float(np.sum(w - clipped)) / int((~outside).sum())
        w = clipped
        if not strict:
            return w
    raise EstimationError("切り詰めが収束しません / trimming did not settle")


@dataclass(frozen=True)
class WeightDiagnostics:
    """Summary of a weight vector, for the methods report."""

    n: int
    n_positive: int
    total: float
    minimum: float
    maximum: float
    ratio_max_min: float
    mean: float
    cv: float
    kish_deff: float
    effective_n: float
    converged: bool | None = None
    iterations: int | None = None
    max_relative_misfit: float | None = None
    g_minimum: float | None = None
    g_maximum: float | None = None

    def as_dict(self) -> dict[str, object]:
        """Plain dict (for JSON)."""
        return asdict(self)


def weight_diagnostics(
    weights: FloatArray, calibration: CalibrationResult | None = None
) -> WeightDiagnostics:
    """Range, CV, Kish design effect of weighting (1 + CV²) and effective sample size of positive weights."""
    w = np.asarray(weights, dtype=np.float64)
    pos = w[w > 0]
    if pos.size == 0:
        raise EstimationError("正の重みがありません / no positive weights")
    mean = float(pos.mean())
    cv = float(pos.std() / mean)
    deff = float(pos.size * np.sum(pos**2) / np.sum(pos) ** 2)
    extra: dict[str, object] = {}
    if calibration is not None:
        g = calibration.g[calibration.prior_weights > 0]
        extra = {
            "converged": calibration.converged,
            "iterations": calibration.iterations,
            "max_relative_misfit": calibration.max_relative_misfit,
            "g_minimum": float(g.min()),
            "g_maximum": float(g.max()),
        }
    return WeightDiagnostics(
        n=int(w.size),
        n_positive=int(pos.size),
        total=float(pos.sum()),
        minimum=float(pos.min()),
        maximum=float(pos.max()),
        ratio_max_min=float(pos.max() / pos.min()),
        mean=mean,
        cv=cv,
        kish_deff=deff,
        effective_n=float(pos.size / deff),
        **extra,  # type: ignore[arg-type]
    )
