"""Generated profiles and needs for benchmarks, demos and tests (no real people).

Levels are drawn around the required levels of a randomly chosen DSS-P role, so the data has the
structure (and the many equal scores) of a real talent pool rather than uniform noise.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt

from chiiki.talent.matching import (
    BUSINESS_FIELDS,
    NO_CODE,
    SERVED_BY,
    NeedKind,
    NeedTable,
    ProfileKind,
    ProfileTable,
    day_number,
    kinds_mask,
)
from chiiki.talent.standard import SkillStandard

_BIG_PREFECTURES = {13: 0.22, 14: 0.07, 27: 0.07, 23: 0.05, 40: 0.04, 11: 0.04, 12: 0.03}


def _prefecture_weights() -> npt.NDArray[np.float64]:
    w = np.full(47, (1.0 - sum(_BIG_PREFECTURES.values())) / (47 - len(_BIG_PREFECTURES)))
    for code, share in _BIG_PREFECTURES.items():
        w[code - 1] = share
    out: npt.NDArray[np.float64] = w / w.sum()
    return out


def generate_profiles(standard: SkillStandard, count: int, *, seed: int = 0, today: dt.date) -> ProfileTable:
    """``count`` generated profiles assessed against ``standard``."""
    rng = np.random.default_rng(seed)
    required = np.array([standard.required_vector(r.id) for r in standard.roles], dtype=np.int16)
    role = rng.integers(0, len(standard.roles), count)
    shift = rng.choice(np.array([-1, 0, 0, 1], dtype=np.int16), count)
    noise = rng.integers(-2, 2, size=(count, len(standard.skills)), dtype=np.int16)
    levels = np.clip(required[role] + noise + shift[:, None], 0, 4).astype(np.uint8)
    tiers = rng.choice(np.array([0, 1, 2], dtype=np.uint8), size=levels.shape, p=[0.6, 0.3, 0.1])
    tiers[levels == 0] = 0
    kind_bits = [
        (ProfileKind.DIGITAL_TALENT, 0.6),
        (ProfileKind.MENTOR, 0.1),
        (ProfileKind.MANAGEMENT, 0.1),
        (ProfileKind.SIDE_JOB, 0.4),
    ]
    kinds = np.zeros(count, dtype=np.uint8)
    for kind, share in kind_bits:
        kinds |= np.where(rng.random(count) < share, np.uint8(1 << int(kind)), np.uint8(0))
    kinds[kinds == 0] = 1 << int(ProfileKind.DIGITAL_TALENT)
    remote = rng.random(count) < 0.8
    on_site = rng.random(count) < 0.6
    on_site[~remote] = True
    home = rng.choice(np.arange(1, 48), count, p=_prefecture_weights()).astype(np.int8)
    travel = np.zeros(count, dtype=np.uint64)
    for _ in range(3):
        extra = rng.integers(1, 48, count).astype(np.uint64)
        travel |= np.where(rng.random(count) < 0.5, np.uint64(1) << (extra - np.uint64(1)), np.uint64(0))
    mentor = (kinds & (1 << int(ProfileKind.MENTOR))) != 0
    fields = rng.integers(0, 1 << len(BUSINESS_FIELDS), count).astype(np.uint32) & rng.integers(
        0, 1 << len(BUSINESS_FIELDS), count
    ).astype(np.uint32)
    stages = rng.integers(1, 16, count).astype(np.uint8)
    start = day_number(today)
    return ProfileTable(
        standard_tag=standard.tag,
        ids=np.arange(1, count + 1, dtype=np.int64),
        kinds=kinds,
        levels=np.ascontiguousarray(levels.T),
        tiers=np.ascontiguousarray(tiers.T),
        hours=rng.choice(np.array([10, 20, 40, 60, 80, 120, 160], dtype=np.int32), count),
        remote_ok=remote,
        on_site_ok=on_site,
        home_prefecture=home,
        travel_mask=travel,
        min_fee=rng.choice(np.array([0, 2000, 3000, 5000, 8000, 12000], dtype=np.int32), count),
        available_from=(start + rng.integers(-60, 90, count)).astype(np.int32),
        languages=(
            1 | np.where(rng.random(count) < 0.3, 2, 0) | np.where(rng.random(count) < 0.05, 4, 0)
        ).astype(np.uint16),
        mentor_fields=np.where(mentor, fields, 0).astype(np.uint32),
        mentor_stages=np.where(mentor, stages, 0).astype(np.uint8),
    )


def generate_needs(standard: SkillStandard, count: int, *, seed: int = 1, today: dt.date) -> NeedTable:
    """``count`` generated needs written against ``standard``."""
    rng = np.random.default_rng(seed)
    kind = rng.choice(np.arange(4), count, p=[0.4, 0.35, 0.15, 0.1]).astype(np.uint8)
    ptr, skills, levels = [0], [], []
    personal = [s.index for s in standard.skills if s.category_id in ("personal", "business_transformation")]
    for i in range(count):
        if kind[i] == NeedKind.MENTORING:
            picked = rng.choice(personal, rng.integers(0, 4), replace=False)
            req = rng.integers(2, 4, len(picked))
        else:
            role = standard.roles[int(rng.integers(0, len(standard.roles)))]
            vector = np.array(standard.required_vector(role.id))
            pool = np.flatnonzero(vector >= 2)
            picked = rng.choice(pool, min(len(pool), int(rng.integers(5, 11))), replace=False)
            req = np.maximum(vector[picked] - rng.integers(0, 2, len(picked)), 1)
        order = np.argsort(picked)
        skills.extend(np.asarray(picked)[order].tolist())
        levels.extend(np.asarray(req)[order].tolist())
        ptr.append(len(skills))
    mentoring = kind == NeedKind.MENTORING
    served = np.array([kinds_mask(SERVED_BY[NeedKind(int(k))]) for k in range(4)], dtype=np.uint8)[kind]
    hours = rng.choice(np.array([10, 20, 30, 40, 80], dtype=np.int32), count)
    hours[kind == NeedKind.FULL_TIME] = 160
    hours[mentoring] = 4
    start = day_number(today)
    return NeedTable(
        standard_tag=standard.tag,
        n_skills=len(standard.skills),
        ids=np.arange(1, count + 1, dtype=np.int64),
        kind=kind,
        served_by_mask=served,
        req_ptr=np.array(ptr, dtype=np.int64),
        req_skill=np.array(skills, dtype=np.int16),
        req_level=np.array(levels, dtype=np.uint8),
        hours=hours,
        mode=rng.choice(np.arange(3), count, p=[0.45, 0.25, 0.3]).astype(np.uint8),
        prefecture=rng.integers(1, 48, count).astype(np.int8),
        budget=rng.choice(np.array([0, 3000, 5000, 8000, 10000, 15000], dtype=np.int32), count),
        start=(start + rng.integers(0, 120, count)).astype(np.int32),
        languages=rng.choice(np.array([0, 1, 2, 3], dtype=np.uint16), count, p=[0.45, 0.4, 0.1, 0.05]),
        business_field=np.where(mentoring, rng.integers(0, len(BUSINESS_FIELDS), count), NO_CODE).astype(
            np.int8
        ),
        stage=np.where(mentoring, rng.integers(0, 4, count), NO_CODE).astype(np.int8),
    )
