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


def _sample(frame: pl.DataFrame, design: Design) -> svy.Sample:
    design.check(frame)
    # svy refuses design columns it would overwrite; keep only what it needs.
    data = frame.select(design.columns())
    return svy.Sample(data, svy.Design(stratum=design.strata, psu=design.psu, wgt=design.weight))


def _extract(sample: svy.Sample, method: str) -> ReplicateWeights:
    rep = sample.design.rep_wgts
    if rep is None:  # svy always sets them after create_*_wgts; guard for the type checker
        raise EstimationError("反復重みが作られませんでした / svy returned no replicate weights")
    data = sample_frame(sample)
    matrix = data.select(rep.columns_from_data(data.columns)).to_numpy().astype(np.float64)
    return ReplicateWeights(
        matrix=matrix, coefficients=np.asarray(rep.coefficients()), method=method, mse=True
    )


def jackknife_weights(frame: pl.DataFrame, design: Design) -> ReplicateWeights:
    """Delete-one-PSU jackknife within strata (JKn): one replicate per PSU, c_r = (n_h − 1) / n_h."""
    if design.psu is None and frame.height > 5000:
        raise EstimationError("PSU ごとの反復が多すぎます / too many replicates; use bootstrap_weights")
    return _extract(_sample(frame, design).weighting.create_jk_wgts(), "jackknife")


def bootstrap_weights(
    frame: pl.DataFrame, design: Design, n_replicates: int = 200, seed: int = 1
) -> ReplicateWeights:
    """Rao-Wu rescaling bootstrap (n_h − 1 PSUs drawn per stratum), c_r = 1 / R."""
    if n_replicates < 2:
        raise EstimationError("反復の数は2以上にしてください / need at least 2 replicates")
    sample = _sample(frame, design).weighting.create_bs_wgts(n_reps=n_replicates, rstate=seed)
    return _extract(sample, "bootstrap")
