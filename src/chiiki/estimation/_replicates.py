"""Replicate weights made by svy: stratified jackknife (JKn) and Rao-Wu bootstrap.

svy builds the replicate columns and their variance coefficients; we keep them as a NumPy matrix so that
every variable and domain is estimated with one matrix product (see estimates.py).
"""

from __future__ import annotations

import numpy as np
import polars as pl
import svy

from chiiki.estimation._design import Design, EstimationError, IntArray
from chiiki.estimation._estimates import ReplicateWeights
from chiiki.estimation._stored_hadamard import ORDER_28, ORDER_36
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


def _is_prime(p: int) -> bool:
    return p > 1 and all(p % k for k in range(2, int(p**0.5) + 1))


def _sylvester(size: int) -> IntArray:
    h = np.ones((1, 1), dtype=np.int64)
    while h.shape[0] < size:
        h = np.block([[h, h], [h, 1 - h]])
    return h


def _paley(p: int) -> IntArray:
    """Paley's construction of order p + 1 (p prime, p ≡ 3 mod 4), in R's 0/1 layout (R's `paley`)."""
    residues = {0, 1} | {(i * i) % p for i in range(2, (p - 1) // 2 + 1)}
    m = (np.arange(p)[:, None] + np.arange(p)[None, :]) % p
    core = np.where(np.isin(m, list(residues)), 0, 1)
    out = np.ones((p + 1, p + 1), dtype=np.int64)
    out[1:, 1:] = core
    return out


_PALEY_PRIMES = [p for p in range(3, 7920) if p % 4 == 3 and _is_prime(p)]  # R's small.primes
_STORED = (4, 16, 28, 36)  # orders of the matrices R's survey stores; 4 and 16 are Sylvester's


def _double(h: IntArray, times: int) -> IntArray:
    for _ in range(times):
        h = np.block([[h, h], [h, 1 - h]])
    return h


def _paley_for(n: int, nmax: int) -> IntArray | None:
    """R's `survey:::paley(n, nmax)`: a Paley matrix of order above n, possibly doubled, or None."""
    nceil = nn = n + 4 - n % 4
    if n % 4 + 4 == n % 8:
        while nn % 8 == 0:
            nn //= 2
        if nn - 1 in _PALEY_PRIMES:
            m = _paley(nn - 1)
            while nn < nceil:
                m = _double(m, 1)
                nn *= 2
            return m
    if n > _PALEY_PRIMES[-1]:
        return None
    p = min(q for q in _PALEY_PRIMES if q >= n)
    if p + 1 > nceil + 4 and nceil + 4 < nmax:
        return _paley_for(nceil + 3, 2 * (nceil + 3))
    return None if p > nmax else _paley(p)


def _stored(index: int, doubles: int) -> IntArray:
    """R's stored matrix `index` (orders 4, 16, 28, 36), doubled `doubles` times as R's `hadamard.doubler`."""
    size = _STORED[index]
    if size in (4, 16):
        return _sylvester(size * 2**doubles)
    rows = ORDER_28 if size == 28 else ORDER_36
    return _double(np.array([[int(c) for c in row] for row in rows], dtype=np.int64), doubles)


def hadamard(n: int) -> IntArray:
    """A 0/1 Hadamard matrix with more than `n` rows: the one R's `survey::hadamard(n)` returns.

    R's choice is followed step by step: a stored matrix when one fits within four rows, else the tightest of
    the stored matrices doubled and, when that overshoots by more than four, Paley's construction (possibly
    doubled) if one fits below it. Orders 28 and 36 are R's own stored matrices (`_stored_hadamard`).
    """
    m = n - n % 4
    precooked = [i for i, s in enumerate(_STORED) if m < s <= m + 4]
    if precooked:
        return _stored(min(precooked), 0)
    doubles = [max(0, int(np.ceil(np.log2((n + 1) / s)))) for s in _STORED]
    sizes = [s * 2**d for s, d in zip(_STORED, doubles, strict=True)]
    best = int(np.argmin([size - n for size in sizes]))
    found = _paley_for(n, sizes[best]) if sizes[best] - n > 4 else None
    return found if found is not None else _stored(best, doubles[best])


def _half_sample_pairs(frame: pl.DataFrame, design: Design) -> tuple[IntArray, IntArray, IntArray]:
    """Per PSU: its pair number (0-based, R's order), whether it is the first of its pair, and row → PSU.

    Strata with more than two PSUs (an even number) are split into consecutive pairs, numbered before the
    strata with exactly two, as R's `brrweights(large="split")` does.
    """
    if design.strata is None:
        raise EstimationError("BRR には層が必要です / BRR needs a stratified design with paired PSUs")
    psu = design.psu_codes(frame)
    n_psu = int(psu.max()) + 1
    first_row = np.full(n_psu, frame.height)
    np.minimum.at(first_row, psu, np.arange(frame.height))
    strata = frame[design.strata].cast(pl.String).to_numpy()[first_row]
    order = sorted(range(n_psu), key=lambda c: (strata[c], first_row[c]))
    members: dict[str, list[int]] = {}
    for c in order:
        members.setdefault(str(strata[c]), []).append(c)
    bad = {s: len(m) for s, m in members.items() if len(m) % 2}
    if bad:
        raise EstimationError(
            f"PSU の数が偶数でない層があります(BRR は対の PSU が必要です)/ strata without paired PSUs: {bad}"
        )
    pair = np.zeros(n_psu, dtype=np.int64)
    first = np.zeros(n_psu, dtype=bool)
    upto = 0
    for large in (True, False):
        for s in sorted(members):
            m = members[s]
            if (len(m) > 2) != large:
                continue
            for k, c in enumerate(m):
                pair[c] = upto + k // 2
                first[c] = k % 2 == 0
            upto += len(m) // 2
    return pair, first.astype(np.int64), psu


def brr_weights(
    frame: pl.DataFrame, design: Design, *, fay_rho: float = 0.0, mse: bool = False
) -> ReplicateWeights:
    """Balanced repeated replication (Fay's variant when `fay_rho` > 0) from a design with paired PSUs.

    R's `as.svrepdesign(design, type="BRR")` or `type="Fay", fay.rho=ρ`: one replicate per column of a
    Hadamard matrix; in each pair one PSU's weights are multiplied by 2 − ρ and the other's by ρ;
    V = Σ_r (θ_r − θ̄)² / (R (1 − ρ)²), around the replicates' mean as R's default (`mse=True`: around θ).
    The finite-population correction does not apply to BRR (R drops it too).
    """
    design.check(frame)
    if not 0.0 <= fay_rho < 1.0:
        raise EstimationError("fay_rho は 0 以上 1 未満にしてください / fay_rho must be in [0, 1)")
    pair, first, psu = _half_sample_pairs(frame, design)
    h = hadamard(int(pair.max()) + 1)
    # Column r of H picks, for pair p, the first PSU when H[1 + p, r] = 1 and the second when it is 0.
    picked = h[1 + pair, :] == first[:, None]
    factors = np.where(picked, 2.0 - fay_rho, fay_rho)
    matrix = design.weights(frame)[:, None] * factors[psu]
    n_rep = h.shape[1]
    coefficients = np.full(n_rep, 1.0 / (n_rep * (1.0 - fay_rho) ** 2))
    return ReplicateWeights(
        matrix=matrix, coefficients=coefficients, method="fay" if fay_rho else "brr", mse=mse
    )
