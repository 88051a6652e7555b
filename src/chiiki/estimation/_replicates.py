"""Replicate weights made by svy: stratified jackknife (JKn) and Rao-Wu bootstrap.

svy builds the replicate columns and their variance coefficients; we keep them as a NumPy matrix so that
every variable and domain is estimated with one matrix product (see estimates.py).
"""

from __future__ import annotations

import numpy as np
import polars as pl
import svy

from chiiki.estimation._design import Design, EstimationError
from chiiki.estimation._estimates import ReplicateWeights
from chiiki.estimation._weights import sample_frame


_ROW_PSU = "__chiiki_row_psu"


def _sample(frame: pl.DataFrame, design: Design) -> svy.Sample:
    design.check(frame)
    if frame.height == 0:
        raise EstimationError("データが空です / the frame has no rows")
    # svy refuses design columns it would overwrite; keep only what it needs. Without a PSU column every row
    # is its own cluster: number the rows, since svy needs a PSU column to build replicates.
    data = frame.select([design.weight, *[c for c in (design.strata, design.psu) if c is not None]])
    psu = design.psu
    if psu is None:
        psu = _ROW_PSU
        data = data.with_row_index(psu)
    try:
        return svy.Sample(data, svy.Design(stratum=design.strata, psu=psu, wgt=design.weight))
    except Exception as exc:  # svy's own errors become ours, with its message kept
        raise EstimationError(f"標本の設計を作れません / svy rejected the design: {exc}") from exc


def _run(make: object) -> svy.Sample:
    """Call svy's replicate builder, turning its exceptions into EstimationError."""
    try:
        return make()  # type: ignore[operator,no-any-return]
    except EstimationError:
        raise
    except Exception as exc:
        raise EstimationError(f"反復重みを作れません / svy could not build replicates: {exc}") from exc


def _extract(sample: svy.Sample, method: str) -> ReplicateWeights:
    rep = sample.design.rep_wgts
    if rep is None:  # svy always sets them after create_*_wgts; guard for the type checker
        raise EstimationError("反復重みが作られませんでした / svy returned no replicate weights")
    data = sample_frame(sample)
    if _ROW_PSU in data.columns:
        data = data.sort(_ROW_PSU)
    matrix = data.select(rep.columns_from_data(data.columns)).to_numpy().astype(np.float64)
    return ReplicateWeights(
        matrix=matrix, coefficients=np.asarray(rep.coefficients()), method=method, mse=True
    )


def jackknife_weights(frame: pl.DataFrame, design: Design) -> ReplicateWeights:
    """Delete-one-PSU jackknife within strata (JKn): one replicate per PSU, c_r = (n_h − 1) / n_h."""
    if design.psu is None and frame.height > 5000:
        raise EstimationError("PSU ごとの反復が多すぎます / too many replicates; use bootstrap_weights")
    sample = _sample(frame, design)
    return _extract(_run(lambda: sample.weighting.create_jk_wgts()), "jackknife")


def bootstrap_weights(
    frame: pl.DataFrame, design: Design, n_replicates: int = 200, seed: int = 1
) -> ReplicateWeights:
    """Rao-Wu rescaling bootstrap (n_h − 1 PSUs drawn per stratum), c_r = 1 / R."""
    if n_replicates < 2:
        raise EstimationError("反復の数は2以上にしてください / need at least 2 replicates")
    sample = _sample(frame, design)
    made = _run(lambda: sample.weighting.create_bs_wgts(n_reps=n_replicates, rstate=seed))
    return _extract(made, "bootstrap")
