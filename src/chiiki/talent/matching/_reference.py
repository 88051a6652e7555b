"""Brute-force rankings that the engine's EXACT mode must reproduce.

``brute_force_*`` score every pair of the query with dense NumPy arrays over all 49 skills and all
rows, then sort everything; ``python_*`` do the same one pair at a time in plain Python from the
definition in :mod:`chiiki.talent.matching._scoring` (slow; for tests on small tables).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from chiiki.talent.matching._codes import REGION_OF_PREFECTURE, NeedKind, WorkMode
from chiiki.talent.matching._scoring import (
    FULL,
    LOCATION_ELSEWHERE,
    LOCATION_HOME,
    LOCATION_REGION,
    MAX_TIER,
    MENTORING_WEIGHTS,
    REGULAR_WEIGHTS,
    pair_feasible,
    pair_score,
    tie_key,
    tie_keys,
)
from chiiki.talent.matching._tables import NO_BUDGET_LIMIT, NO_CODE, NeedTable, ProfileTable

I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]
_REGION = np.array(REGION_OF_PREFECTURE, dtype=np.int64)


def _dense_components(levels: U8, tiers: U8, required: U8) -> tuple[I64, I64]:
    """Skill and evidence components for dense ``[rows, skills]`` operands (broadcast)."""
    met = np.minimum(levels, required).astype(np.int64)
    raw = met.sum(axis=1)
    ev = (met * tiers).sum(axis=1)
    total = required.astype(np.int64).sum(axis=1)
    safe = np.maximum(total, 1)
    skill = np.where(total == 0, FULL, raw * FULL // safe)
    evidence = np.where(total == 0, 0, ev * FULL // (MAX_TIER * safe))
    return skill, evidence


def _weighted(kind: I64, skill: I64, evidence: I64, location: I64, language: I64, field_hit: I64) -> I64:
    m, r = MENTORING_WEIGHTS, REGULAR_WEIGHTS
    mentoring = kind == NeedKind.MENTORING
    out: I64 = np.where(
        mentoring,
        m.skill * skill + m.evidence * evidence + m.location * location + m.language * language
        + m.field * FULL * field_hit,
        r.skill * skill + r.evidence * evidence + r.location * location + r.language * language
        + r.field * FULL * field_hit,
    ).astype(np.int64)  # fmt: skip
    return out


def _feasible_dense(profiles: ProfileTable, p: I64, needs: NeedTable, n: I64) -> npt.NDArray[np.bool_]:
    """Hard constraints for aligned index arrays ``p`` and ``n`` (one side may be a single row repeated)."""
    kinds = profiles.kinds[p].astype(np.int64) & needs.served_by_mask[n].astype(np.int64)
    pref = needs.prefecture[n].astype(np.int64)
    reachable = (profiles.travel_mask[p] >> (pref - 1).astype(np.uint64)) & np.uint64(1)
    mode = needs.mode[n]
    place_ok = np.where(
        mode == WorkMode.REMOTE, profiles.remote_ok[p], profiles.on_site_ok[p] & (reachable == 1)
    )
    budget = needs.budget[n]
    stage = needs.stage[n].astype(np.int64)
    stage_ok = (stage == NO_CODE) | (
        ((profiles.mentor_stages[p].astype(np.int64) >> np.maximum(stage, 0)) & 1) == 1
    )
    out: npt.NDArray[np.bool_] = (
        (kinds != 0)
        & (profiles.hours[p] >= needs.hours[n])
        & place_ok
        & ((budget == NO_BUDGET_LIMIT) | (profiles.min_fee[p] <= budget))
        & (profiles.available_from[p] <= needs.start[n])
        & stage_ok
    )
    return out


def _soft_dense(profiles: ProfileTable, p: I64, needs: NeedTable, n: I64) -> tuple[I64, I64, I64]:
    home = profiles.home_prefecture[p].astype(np.int64)
    pref = needs.prefecture[n].astype(np.int64)
    location = np.where(
        home == pref,
        LOCATION_HOME,
        np.where(_REGION[home] == _REGION[pref], LOCATION_REGION, LOCATION_ELSEWHERE),
    ).astype(np.int64)
    wanted = needs.languages[n]
    shared = np.bitwise_count(wanted & profiles.languages[p]).astype(np.int64)
    language = np.where(wanted == 0, FULL, shared * FULL // np.maximum(np.bitwise_count(wanted), 1)).astype(
        np.int64
    )
    fld = needs.business_field[n].astype(np.int64)
    field_hit = (fld != NO_CODE) & (
        ((profiles.mentor_fields[p].astype(np.int64) >> np.maximum(fld, 0)) & 1) == 1
    )
    return location, language, field_hit.astype(np.int64)


def _rank(score: I64, feasible: npt.NDArray[np.bool_], tie: npt.NDArray[np.uint64], ids: I64, k: int) -> I64:
    rows = np.flatnonzero(feasible)
    order = np.lexsort((ids[rows], tie[rows], -score[rows]))  # full sort of every feasible row
    out: I64 = rows[order[:k]]
    return out


def brute_force_candidates(
    profiles: ProfileTable, levels_rows: U8, tiers_rows: U8, needs: NeedTable, need_id: int, *, k: int = 20,
    epoch: int = 0,
) -> list[tuple[int, int]]:  # fmt: skip
    """Top ``k`` ``(profile_id, score)`` for a need by scoring every profile on every skill.

    ``levels_rows``/``tiers_rows`` are ``[profiles, skills]`` copies (``ProfileTable.with_levels_row_major``).
    """
    n = needs.row_of(need_id)
    count = len(profiles)
    p = np.arange(count)
    nn = np.full(count, n)
    required = needs.dense_required()[n][None, :]
    skill, evidence = _dense_components(levels_rows, tiers_rows, required)
    location, language, field_hit = _soft_dense(profiles, p, needs, nn)
    score = _weighted(needs.kind[nn].astype(np.int64), skill, evidence, location, language, field_hit)
    feasible = _feasible_dense(profiles, p, needs, nn)
    tie = tie_keys(profiles.ids, needs.ids[n : n + 1], epoch)
    top = _rank(score, feasible, tie, profiles.ids, k)
    return [(int(profiles.ids[r]), int(score[r])) for r in top]


def brute_force_needs(
    profiles: ProfileTable,
    needs: NeedTable,
    dense_required: U8,
    profile_id: int,
    *,
    k: int = 20,
    epoch: int = 0,
) -> list[tuple[int, int]]:
    """Top ``k`` ``(need_id, score)`` for a person by scoring every need on every skill."""
    p = profiles.row_of(profile_id)
    count = len(needs)
    n = np.arange(count)
    pp = np.full(count, p)
    skill, evidence = _dense_components(
        profiles.levels[:, p][None, :], profiles.tiers[:, p][None, :].astype(np.int64), dense_required
    )
    location, language, field_hit = _soft_dense(profiles, pp, needs, n)
    score = _weighted(needs.kind.astype(np.int64), skill, evidence, location, language, field_hit)
    feasible = _feasible_dense(profiles, pp, needs, n)
    tie = tie_keys(profiles.ids[p : p + 1], needs.ids, epoch)
    top = _rank(score, feasible, tie, needs.ids, k)
    return [(int(needs.ids[r]), int(score[r])) for r in top]


def python_candidates(
    profiles: ProfileTable, needs: NeedTable, need_id: int, *, k: int = 20, epoch: int = 0
) -> list[tuple[int, int]]:
    """Top ``k`` ``(profile_id, score)`` one pair at a time, from the definition."""
    n = needs.row_of(need_id)
    scored = []
    for p in range(len(profiles)):
        if pair_feasible(profiles, p, needs, n):
            pid = int(profiles.ids[p])
            scored.append((-pair_score(profiles, p, needs, n).total, tie_key(pid, need_id, epoch), pid))
    scored.sort()
    return [(pid, -neg) for neg, _, pid in scored[:k]]


def python_needs(
    profiles: ProfileTable, needs: NeedTable, profile_id: int, *, k: int = 20, epoch: int = 0
) -> list[tuple[int, int]]:
    """Top ``k`` ``(need_id, score)`` one pair at a time, from the definition."""
    p = profiles.row_of(profile_id)
    scored = []
    for n in range(len(needs)):
        if pair_feasible(profiles, p, needs, n):
            nid = int(needs.ids[n])
            scored.append((-pair_score(profiles, p, needs, n).total, tie_key(profile_id, nid, epoch), nid))
    scored.sort()
    return [(nid, -neg) for neg, _, nid in scored[:k]]
