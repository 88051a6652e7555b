"""Disclosure control for published 2-D tables with margins.

Primary suppression: cells counted from fewer than `threshold` contributors (counts), or failing the p% or
(n, k) dominance rule (magnitudes). Secondary (complementary) suppression: more cells are hidden until every
row and column has none or at least two hidden cells, and an interval audit by linear programming shows that
no hidden cell can be pinned down from the published cells and margins within the protection interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.optimize import linprog  # type: ignore[import-untyped]

from chiiki.estimation._design import EstimationError, FloatArray

BoolArray = npt.NDArray[np.bool_]


def small_cells(counts: npt.ArrayLike, threshold: int = 3, *, zeros_sensitive: bool = False) -> BoolArray:
    """Cells with fewer than `threshold` contributors (zero cells only if `zeros_sensitive`)."""
    n = np.asarray(counts)
    if threshold < 1:
        raise EstimationError("閾値は1以上にしてください / threshold must be at least 1")
    flag: BoolArray = n < threshold
    if not zeros_sensitive:
        flag &= n > 0
    return flag


def p_percent_sensitive(contributions: Sequence[float], p: float = 10.0) -> bool:
    """p% rule: sensitive if the others' total minus the second largest is below p% of the largest.

    Then the second-largest contributor could estimate the largest within p %.
    """
    x = sorted((float(v) for v in contributions), reverse=True)
    if not x or x[0] <= 0:
        return False
    second = x[1] if len(x) > 1 else 0.0
    remainder = sum(x) - x[0] - second
    return remainder < p / 100.0 * x[0]


def nk_dominance_sensitive(contributions: Sequence[float], n: int = 2, k: float = 85.0) -> bool:
    """(n, k) rule: sensitive if the `n` largest contributors hold more than k % of the cell total."""
    x = sorted((float(v) for v in contributions), reverse=True)
    total = sum(x)
    return total > 0 and sum(x[:n]) > k / 100.0 * total


def dominance_cells(
    contributions: Sequence[Sequence[Sequence[float]]],
    *,
    p: float | None = 10.0,
    n: int | None = None,
    k: float | None = None,
    threshold: int = 3,
) -> BoolArray:
    """Primary suppression for a magnitude table: `contributions[i][j]` lists the unit values in cell (i, j).

    A cell is sensitive if it has 1..threshold−1 contributors, fails the p% rule (when `p`), or the (n, k)
    rule (when both `n` and `k`).
    """
    rows = len(contributions)
    cols = len(contributions[0]) if rows else 0
    out = np.zeros((rows, cols), dtype=bool)
    for i in range(rows):
        for j in range(cols):
            cell = [float(v) for v in contributions[i][j]]
            sens = 0 < len(cell) < threshold
            if p is not None:
                sens |= p_percent_sensitive(cell, p)
            if n is not None and k is not None:
                sens |= nk_dominance_sensitive(cell, n, k)
            out[i, j] = sens
    return out


@dataclass(frozen=True)
class AuditResult:
    """Feasible interval of every hidden cell given the published cells and margins."""

    lower: FloatArray
    upper: FloatArray
    exposed: list[tuple[int, int]] = field(default_factory=list)

    @property
    def safe(self) -> bool:
        """True when no hidden cell is pinned down within its protection interval."""
        return not self.exposed


def audit(
    table: npt.ArrayLike, suppressed: npt.ArrayLike, protection: npt.ArrayLike | float = 1.0
) -> AuditResult:
    """Interval audit: min and max of each hidden cell by linear programming over non-negative tables.

    Row and column totals (and hence the grand total) are published. A hidden cell with value v is exposed
    when the attacker's interval does not reach v − protection below (or 0) and v + protection above.
    `lower`/`upper` are NaN for published cells.
    """
    t = np.asarray(table, dtype=np.float64)
    s = np.asarray(suppressed, dtype=bool)
    prot = np.broadcast_to(np.asarray(protection, dtype=np.float64), t.shape)
    lower = np.full(t.shape, np.nan)
    upper = np.full(t.shape, np.nan)
    cells = [(int(i), int(j)) for i, j in zip(*np.nonzero(s), strict=True)]
    if not cells:
        return AuditResult(lower, upper, [])
    index = {c: k for k, c in enumerate(cells)}
    eq_rows: list[FloatArray] = []
    eq_rhs: list[float] = []
    for axis in (0, 1):
        for line in range(t.shape[axis]):
            members = [c for c in cells if c[axis] == line]
            if not members:
                continue
            row = np.zeros(len(cells))
            for c in members:
                row[index[c]] = 1.0
            eq_rows.append(row)
            eq_rhs.append(float(sum(t[c] for c in members)))  # the hidden part of a published margin
    a_eq = np.vstack(eq_rows)
    b_eq = np.asarray(eq_rhs)
    exposed: list[tuple[int, int]] = []
    for c, k in index.items():
        obj = np.zeros(len(cells))
        obj[k] = 1.0
        lo = linprog(obj, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        hi = linprog(-obj, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        lower[c] = lo.fun if lo.success else t[c]
        upper[c] = -hi.fun if hi.status == 0 else np.inf
        need_lo = max(t[c] - prot[c], 0.0)
        need_hi = t[c] + prot[c]
        if lower[c] > need_lo + 1e-9 or upper[c] < need_hi - 1e-9:
            exposed.append(c)
    return AuditResult(lower, upper, exposed)


@dataclass(frozen=True)
class SuppressionResult:
    """Which cells to hide, why, and the audit that shows the pattern is safe."""

    primary: BoolArray
    secondary: BoolArray
    audit: AuditResult

    @property
    def suppressed(self) -> BoolArray:
        """All hidden cells."""
        out: BoolArray = self.primary | self.secondary
        return out


def _partner(t: FloatArray, s: BoolArray, line: int, axis: int) -> tuple[int, int] | None:
    """Cheapest unsuppressed cell on a row (axis 0) or column (axis 1): smallest non-zero value, preferring lines
    with other hidden cells so that fewer new lines are opened. Empty cells come last: a hidden zero gives the
    primary cell no room above its value (cells are non-negative), so choosing it only sends the LP audit
    round after round on sparse tables."""
    other_axis_hidden = s.sum(axis=axis)  # hidden per column if we walk a row, and vice versa
    best: tuple[float, float, int] | None = None
    for pos in range(t.shape[1 - axis]):
        cell = (line, pos) if axis == 0 else (pos, line)
        if s[cell]:
            continue
        key = (float(t[cell] == 0), float(t[cell]) - 1e-6 * float(other_axis_hidden[pos]), pos)
        if best is None or key < best:
            best = key
    if best is None:
        return None
    pos = best[2]
    return (line, pos) if axis == 0 else (pos, line)


def protect_table(
    table: npt.ArrayLike,
    primary: npt.ArrayLike,
    *,
    protection: npt.ArrayLike | float | None = None,
    max_rounds: int = 100,
) -> SuppressionResult:
    """Add complementary suppressions to a 2-D table whose row, column and grand totals are published.

    Greedy: every row and column with exactly one hidden cell gets a second one (the smallest available cell);
    then the LP audit runs and, for each exposed cell, one more cell is hidden on its row and column; repeat.
    `protection` defaults to each primary cell's own value (the attacker must not narrow it below [0, 2v]).
    Raises EstimationError when the table cannot be protected without hiding a margin (e.g. a single column).
    """
    t, prim = _checked_table(table, primary)
    prot = np.where(prim, t, 1.0) if protection is None else np.broadcast_to(protection, t.shape)
    s = prim.copy()
    for _ in range(max_rounds):
        _pair_single_suppressions(t, s)
        result = audit(t, s, prot)
        if result.safe:
            return SuppressionResult(prim, s & ~prim, result)
        for i, j in result.exposed:
            for axis, line in ((0, int(i)), (1, int(j))):
                cell = _partner(t, s, line, axis)
                if cell is not None:
                    s[cell] = True
    raise EstimationError("秘匿パターンが見つかりません / no safe suppression pattern found")


def _checked_table(table: npt.ArrayLike, primary: npt.ArrayLike) -> tuple[FloatArray, BoolArray]:
    """The table as floats and the primary flags as booleans, refused unless 2-D, non-negative and alike."""
    t = np.asarray(table, dtype=np.float64)
    if t.ndim != 2:
        raise EstimationError("2次元の表が必要です / a 2-D table is required")
    if (t < 0).any():
        raise EstimationError("負の値は扱えません / cells must be non-negative")
    prim = np.asarray(primary, dtype=bool)
    if prim.shape != t.shape:
        raise EstimationError("表と秘匿フラグの形が違います / table and flags differ in shape")
    return t, prim


def _pair_single_suppressions(t: FloatArray, s: BoolArray) -> None:
    """Hide a second cell on every row and column with exactly one hidden cell (in place), until none is left."""
    changed = True
    while changed:
        changed = False
        for axis in (0, 1):
            counts = s.sum(axis=1 - axis)
            for single in np.nonzero(counts == 1)[0].tolist():
                cell = _partner(t, s, single, axis)
                if cell is None:
                    raise EstimationError(
                        "周辺合計を秘匿しないと保護できません / cannot protect without hiding a margin"
                    )
                s[cell] = True
                changed = True
