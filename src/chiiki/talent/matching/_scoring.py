"""The scoring rule, written once per shape: one pair in plain Python (the definition), and vectorised
forms for one need against many profiles and one profile against many needs.

Scores are integers (0 … 1,000,000) built only from integer floor divisions, so the plain, the
vectorised and the brute-force forms agree bit for bit and the exact mode's top 20 can be checked
for equality rather than closeness.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from chiiki.talent.matching._codes import REGION_OF_PREFECTURE, NeedKind, WorkMode
from chiiki.talent.matching._tables import NO_BUDGET_LIMIT, NO_CODE, NeedTable, ProfileTable

FULL = 10_000  # one component at full marks
MAX_SCORE = 100 * FULL
LOCATION_HOME, LOCATION_REGION, LOCATION_ELSEWHERE = FULL, 6_000, 3_000
MAX_TIER = 2
_M64 = (1 << 64) - 1

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
B = npt.NDArray[np.bool_]

_REGION = np.array(REGION_OF_PREFECTURE, dtype=np.int8)


@dataclass(frozen=True, slots=True)
class Weights:
    """Percent weights of the components; they sum to 100."""

    skill: int
    evidence: int
    location: int
    language: int
    field: int

    def __post_init__(self) -> None:
        if self.skill + self.evidence + self.location + self.language + self.field != 100:
            raise ValueError("weights must sum to 100")


REGULAR_WEIGHTS = Weights(skill=60, evidence=15, location=15, language=10, field=0)
MENTORING_WEIGHTS = Weights(skill=25, evidence=10, location=15, language=10, field=40)


def weights_for(kind: int) -> Weights:
    """Weights for a need kind: mentoring is matched mostly by field (and stage, a hard constraint)."""
    return MENTORING_WEIGHTS if kind == NeedKind.MENTORING else REGULAR_WEIGHTS


# --- deterministic rotation among equal scores --------------------------------------------------------


def tie_key(profile_id: int, need_id: int, epoch: int) -> int:
    """A 64-bit pseudo-random key (splitmix64) for (profile, need, epoch).

    Equal scores are ordered by this key, so which of several equally good profiles comes first differs
    from need to need and from epoch to epoch, yet is reproducible.
    """
    x = (profile_id * 0x9E3779B97F4A7C15) ^ (need_id * 0xC2B2AE3D27D4EB4F) ^ (epoch * 0x165667B19E3779F9)
    x &= _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def tie_keys(profile_ids: I64, need_ids: I64, epoch: int) -> U64:
    """Vectorised :func:`tie_key` (either argument may be a length-1 array)."""
    p = profile_ids.astype(np.uint64)
    n = need_ids.astype(np.uint64)
    e = np.array([epoch & _M64], dtype=np.uint64)
    x = (
        (p * np.uint64(0x9E3779B97F4A7C15))
        ^ (n * np.uint64(0xC2B2AE3D27D4EB4F))
        ^ (e * np.uint64(0x165667B19E3779F9))
    )
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    out: U64 = x ^ (x >> np.uint64(31))
    return out


# --- the definition: one pair ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PairScore:
    """Components of one pair's score (each 0 … 10,000) and the weighted total."""

    skill: int
    evidence: int
    location: int
    language: int
    field: int
    total: int


def pair_feasible(profiles: ProfileTable, p: int, needs: NeedTable, n: int) -> bool:
    """Hard constraints for one pair: kind, hours, place of work, budget, start date, startup stage."""
    if int(profiles.kinds[p]) & int(needs.served_by_mask[n]) == 0:
        return False
    if int(profiles.hours[p]) < int(needs.hours[n]):
        return False
    pref = int(needs.prefecture[n])
    reachable = (int(profiles.travel_mask[p]) >> (pref - 1)) & 1 == 1
    mode = int(needs.mode[n])
    if mode == WorkMode.REMOTE and not bool(profiles.remote_ok[p]):
        return False
    if mode in (WorkMode.ON_SITE, WorkMode.HYBRID) and not (bool(profiles.on_site_ok[p]) and reachable):
        return False
    budget = int(needs.budget[n])
    if budget != NO_BUDGET_LIMIT and int(profiles.min_fee[p]) > budget:
        return False
    if int(profiles.available_from[p]) > int(needs.start[n]):
        return False
    stage = int(needs.stage[n])
    return not (stage != NO_CODE and (int(profiles.mentor_stages[p]) >> stage) & 1 == 0)


def pair_score(profiles: ProfileTable, p: int, needs: NeedTable, n: int) -> PairScore:
    """Soft score of one pair (call only for feasible pairs)."""
    idx, req = needs.required(n)
    raw = ev = 0
    for s, r in zip(idx.tolist(), req.tolist(), strict=True):
        met = min(int(profiles.levels[s, p]), r)
        raw += met
        ev += met * int(profiles.tiers[s, p])
    total_req = int(needs.req_total[n])
    skill = FULL if total_req == 0 else raw * FULL // total_req
    evidence = 0 if total_req == 0 else ev * FULL // (MAX_TIER * total_req)
    home, pref = int(profiles.home_prefecture[p]), int(needs.prefecture[n])
    if home == pref:
        location = LOCATION_HOME
    elif REGION_OF_PREFECTURE[home] == REGION_OF_PREFECTURE[pref]:
        location = LOCATION_REGION
    else:
        location = LOCATION_ELSEWHERE
    wanted = int(needs.languages[n])
    have = int(profiles.languages[p])
    language = FULL if wanted == 0 else (wanted & have).bit_count() * FULL // wanted.bit_count()
    fld = int(needs.business_field[n])
    field_score = FULL if fld != NO_CODE and (int(profiles.mentor_fields[p]) >> fld) & 1 else 0
    w = weights_for(int(needs.kind[n]))
    total = (
        w.skill * skill + w.evidence * evidence + w.location * location + w.language * language
        + w.field * field_score
    )  # fmt: skip
    return PairScore(skill, evidence, location, language, field_score, total)


# --- vectorised: one need against many profiles ----------------------------------------------------------


def feasible_profiles(profiles: ProfileTable, needs: NeedTable, n: int) -> B:
    """Boolean mask over all profiles: the hard constraints of need row ``n``."""
    mask: B = (profiles.kinds & needs.served_by_mask[n]) != 0
    mask &= profiles.hours >= needs.hours[n]
    mode = int(needs.mode[n])
    if mode == WorkMode.REMOTE:
        mask &= profiles.remote_ok
    else:
        bit = np.uint64(1) << np.uint64(int(needs.prefecture[n]) - 1)
        mask &= profiles.on_site_ok & ((profiles.travel_mask & bit) != 0)
    budget = int(needs.budget[n])
    if budget != NO_BUDGET_LIMIT:
        mask &= profiles.min_fee <= budget
    mask &= profiles.available_from <= needs.start[n]
    stage = int(needs.stage[n])
    if stage != NO_CODE:
        mask &= (profiles.mentor_stages & np.uint8(1 << stage)) != 0
    return mask


def score_profiles(profiles: ProfileTable, rows: I64, needs: NeedTable, n: int) -> I64:
    """Scores of profile ``rows`` for need row ``n``, reading only the need's required skill rows."""
    idx, req = needs.required(n)
    # When most profiles pass the filter, streaming whole contiguous skill rows and selecting once is
    # cheaper than gathering each row; small integer types keep the passes memory-light (met <= 4,
    # met * tier <= 8, sums over 49 skills < 65536).
    whole = len(rows) * 4 > len(profiles)
    width = len(profiles) if whole else len(rows)
    raw16 = np.zeros(width, dtype=np.uint16)
    ev16 = np.zeros(width, dtype=np.uint16)
    for s, r in zip(idx.tolist(), req.tolist(), strict=True):
        level_row = profiles.levels[s] if whole else profiles.levels[s, rows]
        tier_row = profiles.tiers[s] if whole else profiles.tiers[s, rows]
        met = np.minimum(level_row, np.uint8(r))
        raw16 += met
        ev16 += met * tier_row
    if whole:
        raw16, ev16 = raw16[rows], ev16[rows]
    raw, ev = raw16.astype(np.int64), ev16.astype(np.int64)
    total_req = int(needs.req_total[n])
    if total_req == 0:
        skill = np.full(len(rows), FULL, dtype=np.int64)
        evidence = np.zeros(len(rows), dtype=np.int64)
    else:
        skill = raw * FULL // total_req
        evidence = ev * FULL // (MAX_TIER * total_req)
    pref = int(needs.prefecture[n])
    home = profiles.home_prefecture[rows]
    location = np.where(
        home == pref,
        LOCATION_HOME,
        np.where(_REGION[home] == _REGION[pref], LOCATION_REGION, LOCATION_ELSEWHERE),
    ).astype(np.int64)
    wanted = int(needs.languages[n])
    if wanted == 0:
        language = np.full(len(rows), FULL, dtype=np.int64)
    else:
        shared = np.bitwise_count(profiles.languages[rows] & np.uint16(wanted)).astype(np.int64)
        language = shared * FULL // wanted.bit_count()
    w = weights_for(int(needs.kind[n]))
    total = w.skill * skill + w.evidence * evidence + w.location * location + w.language * language
    fld = int(needs.business_field[n])
    if fld != NO_CODE and w.field:
        total += (
            w.field
            * FULL
            * ((profiles.mentor_fields[rows] >> np.uint32(fld)) & np.uint32(1)).astype(np.int64)
        )
    out: I64 = total
    return out


# --- vectorised: one profile against many needs ----------------------------------------------------------


def feasible_needs(profiles: ProfileTable, p: int, needs: NeedTable) -> B:
    """Boolean mask over all needs: the hard constraints for profile row ``p``."""
    mask: B = (needs.served_by_mask & profiles.kinds[p]) != 0
    mask &= needs.hours <= profiles.hours[p]
    travel = np.uint64(int(profiles.travel_mask[p]))
    reachable = ((travel >> (needs.prefecture.astype(np.uint64) - np.uint64(1))) & np.uint64(1)) == 1
    remote = needs.mode == WorkMode.REMOTE
    if not bool(profiles.remote_ok[p]):
        mask &= ~remote
    if not bool(profiles.on_site_ok[p]):
        mask &= remote
    else:
        mask &= remote | reachable
    mask &= (needs.budget == NO_BUDGET_LIMIT) | (needs.budget >= profiles.min_fee[p])
    mask &= needs.start >= profiles.available_from[p]
    stage_ok = (needs.stage == NO_CODE) | (
        ((np.int64(int(profiles.mentor_stages[p])) >> np.maximum(needs.stage, 0).astype(np.int64)) & 1) == 1
    )
    mask &= stage_ok
    return mask


def score_needs(profiles: ProfileTable, p: int, needs: NeedTable, rows: I64) -> I64:
    """Scores of need ``rows`` for profile row ``p``, reading only those needs' required skills."""
    levels = np.append(profiles.levels[:, p], np.uint8(0))  # last slot: padding reads level 0
    tiers = np.append(profiles.tiers[:, p], np.uint8(0))
    slots = needs.pad_skill[rows]
    met = np.minimum(levels[slots], needs.pad_level[rows])  # uint8, <= 4
    raw = met.sum(axis=1, dtype=np.int64)
    ev = (met * tiers[slots]).sum(axis=1, dtype=np.int64)
    total_req = needs.req_total[rows]
    safe = np.maximum(total_req, 1)
    skill = np.where(total_req == 0, FULL, raw * FULL // safe)
    evidence = np.where(total_req == 0, 0, ev * FULL // (MAX_TIER * safe))
    home = int(profiles.home_prefecture[p])
    pref = needs.prefecture[rows]
    location = np.where(
        pref == home,
        LOCATION_HOME,
        np.where(_REGION[pref] == _REGION[home], LOCATION_REGION, LOCATION_ELSEWHERE),
    ).astype(np.int64)
    wanted = needs.languages[rows]
    have = np.uint16(int(profiles.languages[p]))
    shared = np.bitwise_count(wanted & have).astype(np.int64)
    language = np.where(wanted == 0, FULL, shared * FULL // np.maximum(np.bitwise_count(wanted), 1))
    fld = needs.business_field[rows]
    field_hit = (fld != NO_CODE) & (
        ((np.int64(int(profiles.mentor_fields[p])) >> np.maximum(fld, 0).astype(np.int64)) & 1) == 1
    )
    mentoring = needs.kind[rows] == NeedKind.MENTORING
    m, r = MENTORING_WEIGHTS, REGULAR_WEIGHTS
    total = np.where(
        mentoring,
        m.skill * skill + m.evidence * evidence + m.location * location + m.language * language
        + m.field * FULL * field_hit,
        r.skill * skill + r.evidence * evidence + r.location * location + r.language * language
        + r.field * FULL * field_hit,
    ).astype(np.int64)  # fmt: skip
    out: I64 = total
    return out
