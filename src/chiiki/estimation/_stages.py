"""Variance of linearised scores for designs beyond one with-replacement stage, as R's `svyrecvar`.

Finite-population corrections per stratum, a second stage with its own correction (R's `id=~psu+ssu,
fpc=~N1+N2`), and PPS without replacement (Brewer's, Overton's and Hartley–Rao's approximations of R's
`pps=`). The scores enter as a full (rows × variables) matrix: rows outside a domain hold zeros or, after
calibration, their GREG residuals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import scipy.sparse as sp  # type: ignore[import-untyped]

from chiiki.estimation._design import Design, EstimationError, FloatArray, IntArray


def _indicator(codes: IntArray, n_groups: int) -> sp.csr_matrix:
    """Sparse (groups × items) matrix summing items into their group."""
    return sp.csr_matrix((np.ones(len(codes)), (codes, np.arange(len(codes)))), shape=(n_groups, len(codes)))


def _first_per_group(codes: IntArray, values: FloatArray, n_groups: int) -> FloatArray:
    out = np.full(n_groups, np.nan)
    out[codes[::-1]] = values[::-1]  # the first row of each group wins
    return out


def _fractions(values: FloatArray, sample_sizes: FloatArray, column: str) -> FloatArray:
    """Sampling fraction n / N from a column of population sizes or of fractions (all ≤ 1), as R reads fpc."""
    fraction = values if np.all(values <= 1.0) else sample_sizes / values
    if np.any(fraction > 1.0 + 1e-9):
        raise EstimationError(
            f"列 {column} の母集団の大きさが標本の大きさより小さいです / population size below sample size"
        )
    return np.minimum(fraction, 1.0)


def _check_constant(codes: IntArray, values: FloatArray, per_group: FloatArray, column: str) -> None:
    if not np.allclose(values, per_group[codes], rtol=1e-9, atol=0.0):
        raise EstimationError(
            f"列 {column} が層・集落の中で一定ではありません / {column} varies within a group"
        )


def _scale(fraction: FloatArray, n: FloatArray, lonely: str, stage: int) -> FloatArray:
    """(1 − f) n / (n − 1): 0 for a unit taken with certainty; a lonely unit fails or is skipped."""
    lonely_units = (n == 1) & (fraction < 1.0 - 1e-7)
    if np.any(lonely_units) and lonely == "error":
        raise EstimationError(
            f"第{stage}段で単位が1つしかない層があります。lonely_psu='skip' を指定してください / "
            f"a stratum has a single unit at stage {stage}"
        )
    factor = np.divide(n, n - 1, out=np.zeros_like(n), where=n > 1)
    return np.where(fraction >= 1.0 - 1e-7, 0.0, (1.0 - fraction) * factor)


@dataclass
class StageStructure:
    """Codes and scale factors of every stage, computed once per call of `estimate`."""

    psu: IntArray
    psu_stratum: IntArray
    n_strata: int
    n_h: FloatArray
    scale1: FloatArray  # per PSU
    fraction1: FloatArray  # per PSU: n_h / N_h (π_i under PPS)
    ssu: IntArray | None = None
    ssu_psu: IntArray | None = None
    n2: FloatArray | None = None  # per PSU
    scale2: FloatArray | None = None  # per SSU
    dcheck: list[tuple[IntArray, FloatArray]] | None = None  # PPS: (PSUs, Δ̌ matrix) per stratum

    @property
    def n_psu(self) -> int:
        """Number of PSUs."""
        return len(self.psu_stratum)

    def variance(self, residuals: FloatArray) -> FloatArray:
        """Variance of the column sums of `residuals` (rows × variables) under the design."""
        totals = _indicator(self.psu, self.n_psu) @ residuals
        if self.dcheck is not None:
            out = np.zeros(residuals.shape[1])
            for clusters, delta in self.dcheck:
                t = totals[clusters]
                out += np.einsum("ik,ij,jk->k", t, delta, t)
            return out
        out = _centred_sum_of_squares(totals, self.psu_stratum, self.n_strata, self.n_h, self.scale1)
        if self.ssu is None or self.ssu_psu is None or self.n2 is None or self.scale2 is None:
            return out
        sub = _indicator(self.ssu, len(self.ssu_psu)) @ residuals
        weight = self.scale2 * self.fraction1[self.ssu_psu]
        return out + _centred_sum_of_squares(sub, self.ssu_psu, self.n_psu, self.n2, weight)


def _centred_sum_of_squares(
    totals: FloatArray, group: IntArray, n_groups: int, n: FloatArray, scale: FloatArray
) -> FloatArray:
    """Σ_units scale · (t − mean of its group)², the group mean taken over its n units (absent ones are 0)."""
    sums = _indicator(group, n_groups) @ totals
    means = np.divide(sums, n[:, None], out=np.zeros_like(sums), where=n[:, None] > 0)
    return np.asarray(scale @ (totals - means[group]) ** 2)


def stage_structure(frame: pl.DataFrame, design: Design, lonely: str) -> StageStructure:
    """Codes and scale factors of `design` on `frame` (see Design for the meaning of the columns)."""
    psu = design.psu_codes(frame)
    strata = design.stratum_codes(frame)
    n_psu = int(psu.max()) + 1 if frame.height else 0
    psu_stratum = np.zeros(n_psu, dtype=np.int64)
    psu_stratum[psu] = strata
    n_strata = int(strata.max()) + 1 if frame.height else 0
    n_h = np.bincount(psu_stratum, minlength=n_strata).astype(np.float64)
    n_h_psu = n_h[psu_stratum]
    if design.fpc is None:
        fraction1 = np.zeros(n_psu)
    else:
        values = frame[design.fpc].cast(pl.Float64).to_numpy()
        per_psu = _first_per_group(psu, values, n_psu)
        if design.pps is None:
            _check_constant(strata, values, _first_per_group(strata, values, n_strata), design.fpc)
        fraction1 = _fractions(per_psu, n_h_psu, design.fpc)
    structure = StageStructure(
        psu=psu,
        psu_stratum=psu_stratum,
        n_strata=n_strata,
        n_h=n_h,
        scale1=_scale(fraction1, n_h_psu, lonely, 1),
        fraction1=fraction1,
    )
    if design.pps in ("overton", "hartley_rao"):
        structure.dcheck = _dcheck(design.pps, psu_stratum, n_strata, fraction1)
    if design.ssu is not None and design.fpc is not None:
        _add_second_stage(structure, frame, design, lonely)
    return structure


def _add_second_stage(structure: StageStructure, frame: pl.DataFrame, design: Design, lonely: str) -> None:
    ssu = design.ssu_codes(frame)
    n_ssu = int(ssu.max()) + 1
    ssu_psu = np.zeros(n_ssu, dtype=np.int64)
    ssu_psu[ssu] = structure.psu
    n2 = np.bincount(ssu_psu, minlength=structure.n_psu).astype(np.float64)
    if design.fpc2 is None:
        fraction2 = np.zeros(n_ssu)
    else:
        values = frame[design.fpc2].cast(pl.Float64).to_numpy()
        _check_constant(
            structure.psu, values, _first_per_group(structure.psu, values, structure.n_psu), design.fpc2
        )
        fraction2 = _fractions(_first_per_group(ssu, values, n_ssu), n2[ssu_psu], design.fpc2)
    structure.ssu = ssu
    structure.ssu_psu = ssu_psu
    structure.n2 = n2
    structure.scale2 = _scale(fraction2, n2[ssu_psu], lonely, 2)


def _dcheck(
    method: str, psu_stratum: IntArray, n_strata: int, pi: FloatArray
) -> list[tuple[IntArray, FloatArray]]:
    """Δ̌_ij = 1 − π_i π_j / π_ij per stratum, with π_ij approximated by Overton's or Hartley–Rao's formula."""
    out: list[tuple[IntArray, FloatArray]] = []
    for h in range(n_strata):
        clusters = np.flatnonzero(psu_stratum == h)
        p = pi[clusters]
        n = float(len(clusters))
        if method == "overton":
            pij = (n - 1) * np.outer(p, p) / (n - (p[:, None] + p[None, :]) / 2)
        else:
            psum = float(np.mean(p))  # R's HR(): the sample estimate mean(π) of Σπ²/n
            pij = (n - 1) * np.outer(p, p) / (n - p[:, None] - p[None, :] + psum)
        np.fill_diagonal(pij, p)
        out.append((clusters, 1.0 - np.outer(p, p) / pij))
    return out
