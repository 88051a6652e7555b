"""Rank candidates for a need and needs for a person.

Two modes:

* ``EXACT``: the top *k* by (score, rotation key, id). The hard constraints are applied as a vector
  mask, only the need's required skill rows are read, and only the candidates that can reach the
  *k*-th score are sorted. The result is identical to scoring and sorting every pair
  (:mod:`chiiki.talent.matching._reference`), which the tests and the benchmark check.
* ``FAIR``: exposure-aware. Each candidate loses ``penalty × min(times shown, cap)`` points, bounded
  by a small tolerance, so a profile that has already been shown often gives way to one that fits
  (almost) as well, but never to one that fits clearly worse. Shown results are recorded in an
  :class:`ExposureLedger`.

In both modes equal scores are ordered by a per-(profile, need, epoch) pseudo-random key, so the
same few profiles do not win every tie, and changing ``epoch`` (e.g. weekly) rotates the order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from chiiki.talent.matching._explain import MatchExplanation, explain_pair
from chiiki.talent.matching._scoring import (
    FULL,
    feasible_needs,
    feasible_profiles,
    score_needs,
    score_profiles,
    tie_keys,
)
from chiiki.talent.matching._tables import MatchingInputError, NeedTable, ProfileTable
from chiiki.talent.standard import SkillStandard

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]


class RankingMode(StrEnum):
    """How to rank: exactly by score, or with the exposure-aware adjustment."""

    EXACT = "exact"
    FAIR = "fair"


@dataclass(frozen=True, slots=True)
class FairnessPolicy:
    """Exposure adjustment: at most ``tolerance`` points (of 1,000,000), reached after ``cap`` showings."""

    tolerance: int = 2 * FULL  # two points out of 100
    cap: int = 10

    @property
    def penalty_per_showing(self) -> int:
        """Points taken per time shown, up to ``cap``."""
        return self.tolerance // self.cap


@dataclass(slots=True)
class ExposureLedger:
    """How often each row (profile or need) has been shown in a top list; reset or decay per period."""

    counts: npt.NDArray[np.int32]

    @classmethod
    def for_size(cls, size: int) -> ExposureLedger:
        """An empty ledger for a table of ``size`` rows."""
        return cls(np.zeros(size, dtype=np.int32))

    def record(self, rows: I64) -> None:
        """Count one showing for each row."""
        np.add.at(self.counts, rows, 1)

    def decay(self) -> None:
        """Halve every count (e.g. at the start of each week), so old exposure fades."""
        self.counts //= 2


@dataclass(frozen=True, slots=True)
class Match:
    """One ranked result. ``score`` is the unadjusted score (0 … 1,000,000)."""

    rank: int
    profile_id: int
    need_id: int
    score: int
    adjusted_score: int
    explanation: MatchExplanation | None = field(default=None, compare=False)


def top_k_rows(score: I64, tie: U64, ids: I64, k: int) -> I64:
    """Positions of the top ``k`` by (score desc, tie key asc, id asc), sorting only the contenders."""
    if k < 1:
        raise MatchingInputError(f"件数は1以上です: {k} (k must be at least 1)")
    n = len(score)
    if n > k:
        kth = np.partition(score, n - k)[n - k]
        contenders = np.flatnonzero(score >= kth)
    else:
        contenders = np.arange(n)
    order = np.lexsort((ids[contenders], tie[contenders], -score[contenders]))
    out: I64 = contenders[order[:k]]
    return out


class MatchingEngine:
    """Ranks over one :class:`ProfileTable` and one :class:`NeedTable` assessed against the same standard."""

    def __init__(self, standard: SkillStandard, profiles: ProfileTable, needs: NeedTable) -> None:
        for table in (profiles, needs):
            if table.standard_tag != standard.tag:
                raise MatchingInputError(
                    f"スキル標準の版が一致しません: {table.standard_tag} と {standard.tag} "
                    "(profiles, needs and engine must use the same version of the standard)"
                )
        self.standard = standard
        self.profiles = profiles
        self.needs = needs

    def count_candidates(self, need_id: int) -> int:
        """How many profiles meet every hard constraint of a need (all of them can be ranked)."""
        return int(np.count_nonzero(feasible_profiles(self.profiles, self.needs, self.needs.row_of(need_id))))

    def candidates_for_need(
        self,
        need_id: int,
        *,
        k: int = 20,
        offset: int = 0,
        mode: RankingMode = RankingMode.EXACT,
        epoch: int = 0,
        ledger: ExposureLedger | None = None,
        policy: FairnessPolicy = FairnessPolicy(),
        explain: bool = True,
    ) -> list[Match]:
        """The best ``k`` profiles for a need after the first ``offset`` (a page of the whole order; ranks count
        from the top). ``FAIR`` mode needs a ledger over profiles and records the profiles returned."""
        if offset < 0:
            raise MatchingInputError(f"開始位置は0以上です: {offset} (offset must be at least 0)")
        n = self.needs.row_of(need_id)
        rows = np.flatnonzero(feasible_profiles(self.profiles, self.needs, n))
        score = score_profiles(self.profiles, rows, self.needs, n)
        ids = self.profiles.ids[rows]
        tie = tie_keys(ids, self.needs.ids[n : n + 1], epoch)
        penalty = self._penalty(mode, ledger, policy, rows, len(self.profiles))
        chosen = top_k_rows(score - penalty, tie, ids, offset + k)[offset:]
        if ledger is not None and mode is RankingMode.FAIR:
            ledger.record(rows[chosen])
        return [
            Match(
                rank=offset + i + 1,
                profile_id=int(ids[c]),
                need_id=need_id,
                score=int(score[c]),
                adjusted_score=int(score[c] - penalty[c]),
                explanation=explain_pair(
                    self.standard,
                    self.profiles,
                    int(rows[c]),
                    self.needs,
                    n,
                    exposure_penalty=int(penalty[c]),
                )
                if explain
                else None,
            )
            for i, c in enumerate(chosen.tolist())
        ]

    def needs_for_profile(
        self,
        profile_id: int,
        *,
        k: int = 20,
        mode: RankingMode = RankingMode.EXACT,
        epoch: int = 0,
        ledger: ExposureLedger | None = None,
        policy: FairnessPolicy = FairnessPolicy(),
        explain: bool = True,
    ) -> list[Match]:
        """The best ``k`` needs for a person; ``FAIR`` mode needs a ledger over needs and updates it."""
        p = self.profiles.row_of(profile_id)
        rows = np.flatnonzero(feasible_needs(self.profiles, p, self.needs))
        score = score_needs(self.profiles, p, self.needs, rows)
        ids = self.needs.ids[rows]
        tie = tie_keys(self.profiles.ids[p : p + 1], ids, epoch)
        penalty = self._penalty(mode, ledger, policy, rows, len(self.needs))
        chosen = top_k_rows(score - penalty, tie, ids, k)
        if ledger is not None and mode is RankingMode.FAIR:
            ledger.record(rows[chosen])
        return [
            Match(
                rank=i + 1,
                profile_id=profile_id,
                need_id=int(ids[c]),
                score=int(score[c]),
                adjusted_score=int(score[c] - penalty[c]),
                explanation=explain_pair(
                    self.standard,
                    self.profiles,
                    p,
                    self.needs,
                    int(rows[c]),
                    exposure_penalty=int(penalty[c]),
                )
                if explain
                else None,
            )
            for i, c in enumerate(chosen.tolist())
        ]

    @staticmethod
    def _penalty(
        mode: RankingMode, ledger: ExposureLedger | None, policy: FairnessPolicy, rows: I64, size: int
    ) -> I64:
        if mode is RankingMode.EXACT:
            return np.zeros(len(rows), dtype=np.int64)
        if ledger is None or len(ledger.counts) != size:
            raise MatchingInputError(
                "公平モードには表示回数の台帳が必要です "
                "(FAIR mode needs an exposure ledger sized to the table)"
            )
        shown = np.minimum(ledger.counts[rows], policy.cap).astype(np.int64)
        out: I64 = shown * policy.penalty_per_showing
        return out
