"""The sample design: which columns hold the weight, the strata and the clusters.

A design is only column names; the data stay in a Polars frame, so the same design can describe the
full sample, the respondents, or a benchmark frame of a million rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class EstimationError(ValueError):
    """Bad input to an estimation step; the message says what to fix (Japanese first)."""


@dataclass(frozen=True)
class Design:
    """Column names of a stratified, clustered design (clusters taken with replacement, as R's `svydesign`).

    `psu` is the cluster (a household for a household survey); None means every row is its own cluster.
    `strata` None means one stratum. PSU codes are nested within strata (R's `nest=TRUE`).
    """

    weight: str
    strata: str | None = None
    psu: str | None = None

    def columns(self) -> list[str]:
        """The design columns present in this design."""
        return [c for c in (self.weight, self.strata, self.psu) if c is not None]

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


def group_codes(frame: pl.DataFrame, columns: Sequence[str]) -> IntArray:
    """Dense integer codes of the combinations of `columns`, numbered in order of first appearance."""
    if len(columns) == 1:
        codes = frame[columns[0]].rank("dense").cast(pl.Int64).to_numpy() - 1
        return np.asarray(codes, dtype=np.int64)
    keys = frame.select(pl.struct(list(columns)).rank("dense").cast(pl.Int64)).to_series().to_numpy() - 1
    return np.asarray(keys, dtype=np.int64)
