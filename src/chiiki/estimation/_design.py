"""The sample design: which columns hold the weight, the strata and the clusters.

A design is only column names; the data stay in a Polars frame, so the same design can describe the
full sample, the respondents, or a benchmark frame of a million rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import polars as pl

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class EstimationError(ValueError):
    """Bad input to an estimation step; the message says what to fix (Japanese first)."""


PPS = Literal["brewer", "overton", "hartley_rao"]


@dataclass(frozen=True)
class Design:
    """Column names of a stratified, clustered design, as R's `svydesign`.

    `psu` is the cluster (a household for a household survey); None means every row is its own cluster.
    `strata` None means one stratum. PSU codes are nested within strata (R's `nest=TRUE`).

    Without `fpc` the first stage is taken with replacement (R's default). `fpc` names a column holding, per
    row, either the number of PSUs in the stratum's population (> 1) or the sampling fraction (≤ 1), as R's
    `fpc=`; the variance then carries the factor (1 − n_h/N_h). A second stage (`ssu`, e.g. households within
    sampled districts) with its own `fpc2` (SSUs in the PSU's population, or the fraction) gives R's
    `id=~psu+ssu, fpc=~N1+N2`: the within-PSU variance is added, weighted by the first-stage fraction.
    Without `fpc` only the first stage counts (with replacement), as in R; `fpc` with `ssu` needs `fpc2`.

    `pps` declares a first stage drawn with probability proportional to size without replacement; `fpc` then
    holds each PSU's inclusion probability π_i, and the variance uses Brewer's approximation
    (`"brewer"`), Overton's (`"overton"`) or Hartley–Rao's (`"hartley_rao"`), as R's `pps=` does.
    """

    weight: str
    strata: str | None = None
    psu: str | None = None
    fpc: str | None = None
    ssu: str | None = None
    fpc2: str | None = None
    pps: PPS | None = None

    def columns(self) -> list[str]:
        """The design columns present in this design."""
        cols = (self.weight, self.strata, self.psu, self.fpc, self.ssu, self.fpc2)
        return [c for c in cols if c is not None]

    @property
    def is_simple(self) -> bool:
        """One stage, with constant fpc within strata: the fast variance path applies."""
        return self.ssu is None and self.pps is None

    def check(self, frame: pl.DataFrame) -> None:
        """Raise EstimationError when a design column is missing, null, or the weight is negative."""
        missing = [c for c in self.columns() if c not in frame.columns]
        if missing:
            raise EstimationError(f"設計の列がありません / design columns missing: {missing}")
        for col in self.columns():
            if frame[col].null_count():
                raise EstimationError(f"列 {col} に欠損値があります / column {col} has nulls")
        if frame.height and float(frame[self.weight].min()) < 0:  # type: ignore[arg-type]
            raise EstimationError(f"重みが負です / negative weights in {self.weight}")
        if self.fpc2 is not None and (self.ssu is None or self.fpc is None):
            raise EstimationError("fpc2 には ssu と fpc が必要です / fpc2 needs ssu and fpc")
        if self.ssu is not None and self.fpc is not None and self.fpc2 is None:
            raise EstimationError(
                "2段抽出で fpc を使うときは第2段の fpc2 も指定してください / with ssu and fpc, give fpc2 too"
            )
        if self.pps is not None and self.fpc is None:
            raise EstimationError(
                "PPS には包含確率の列 fpc が必要です / pps needs inclusion probabilities in fpc"
            )
        for fpc in (self.fpc, self.fpc2):
            if fpc is not None and float(frame[fpc].cast(pl.Float64).min() or 0.0) <= 0:  # type: ignore[arg-type]
                raise EstimationError(f"列 {fpc} は正の値にしてください / {fpc} must be positive")

    def weights(self, frame: pl.DataFrame) -> FloatArray:
        """The weight column as float64."""
        return frame[self.weight].cast(pl.Float64).to_numpy()

    def stratum_codes(self, frame: pl.DataFrame) -> IntArray:
        """Dense integer codes 0..H-1 of the strata."""
        if self.strata is None:
            return np.zeros(frame.height, dtype=np.int64)
        return group_codes(frame, [self.strata])

    def psu_codes(self, frame: pl.DataFrame) -> IntArray:
        """Dense integer codes 0..C-1 of the clusters, nested within strata."""
        if self.psu is None:
            return np.arange(frame.height, dtype=np.int64)
        cols = [self.psu] if self.strata is None else [self.strata, self.psu]
        return group_codes(frame, cols)

    def ssu_codes(self, frame: pl.DataFrame) -> IntArray:
        """Dense integer codes of the second-stage units, nested within PSUs (rows when `ssu` is None)."""
        if self.ssu is None:
            return np.arange(frame.height, dtype=np.int64)
        cols = [c for c in (self.strata, self.psu) if c is not None]
        if not cols:
            cols = ["__chiiki_row_psu"]
            frame = frame.with_row_index(cols[0])
        return group_codes(frame, [*cols, self.ssu])


def group_codes(frame: pl.DataFrame, columns: Sequence[str]) -> IntArray:
    """Dense integer codes of the combinations of `columns`, numbered in order of first appearance."""
    if len(columns) == 1:
        codes = frame[columns[0]].rank("dense").cast(pl.Int64).to_numpy() - 1
        return np.asarray(codes, dtype=np.int64)
    keys = frame.select(pl.struct(list(columns)).rank("dense").cast(pl.Int64)).to_series().to_numpy() - 1
    return np.asarray(keys, dtype=np.int64)
