"""Columnar tables of profiles and needs: the arrays the engine scores.

A profile or a need can be built from friendly records (:class:`Profile`, :class:`Need`), from a
Polars frame, or directly from NumPy arrays (what the benchmark does for 200,000 rows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from chiiki.talent.matching._codes import (
    SERVED_BY,
    NeedKind,
    ProfileKind,
    StartupStage,
    WorkMode,
    kinds_mask,
    language_mask,
    prefecture_mask,
    prefecture_name,
)
from chiiki.talent.standard import SkillAssessment, SkillLevel, SkillStandard

EPOCH = dt.date(1970, 1, 1)
NO_BUDGET_LIMIT = 0  # budget value meaning "not stated"
NO_CODE = -1  # field/stage value meaning "not a mentoring need"

U8 = npt.NDArray[np.uint8]
I8 = npt.NDArray[np.int8]
I16 = npt.NDArray[np.int16]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
U16 = npt.NDArray[np.uint16]
U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
B = npt.NDArray[np.bool_]


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01, the integer form of dates in the tables."""
    return (day - EPOCH).days


class MatchingInputError(ValueError):
    """Input the engine cannot use; the message is Japanese first, English second."""


@dataclass(frozen=True, slots=True)
class Profile:
    """One person as the engine sees them. ``skills`` comes from a :class:`SkillAssessment`."""

    id: int
    kinds: frozenset[ProfileKind]
    skills: SkillAssessment
    hours_per_month: int
    remote_ok: bool
    on_site_ok: bool
    home_prefecture: int
    travel_prefectures: frozenset[int] = frozenset()
    min_fee_per_hour: int = 0
    available_from: dt.date = EPOCH
    languages: frozenset[str] = frozenset({"ja"})
    mentor_fields: frozenset[int] = frozenset()
    mentor_stages: frozenset[StartupStage] = frozenset()


@dataclass(frozen=True, slots=True)
class Need:
    """One need posted by a municipality, company or startup."""

    id: int
    kind: NeedKind
    standard_tag: str
    required: Mapping[str, SkillLevel]
    hours_per_month: int
    mode: WorkMode
    prefecture: int
    budget_per_hour: int = NO_BUDGET_LIMIT
    start: dt.date = EPOCH
    languages: frozenset[str] = frozenset()
    business_field: int = NO_CODE
    stage: StartupStage | None = None


@dataclass(slots=True)
class ProfileTable:
    """All profiles as columns. ``levels``/``tiers`` are skill-major ``[skills, profiles]`` so that a
    need's few required skills are read as contiguous rows."""

    standard_tag: str
    ids: I64
    kinds: U8
    levels: U8
    tiers: U8
    hours: I32
    remote_ok: B
    on_site_ok: B
    home_prefecture: I8
    travel_mask: U64
    min_fee: I32
    available_from: I32
    languages: U16
    mentor_fields: U32
    mentor_stages: U8
    _row_of_id: dict[int, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        n = len(self.ids)
        for name in ("kinds", "hours", "remote_ok", "on_site_ok", "home_prefecture", "travel_mask", "min_fee",
                     "available_from", "languages", "mentor_fields", "mentor_stages"):  # fmt: skip
            if len(getattr(self, name)) != n:
                raise MatchingInputError(f"列の長さが一致しません: {name} (column length mismatch)")
        if self.levels.shape[1] != n or self.tiers.shape != self.levels.shape:
            raise MatchingInputError("スキル行列の形が不正です (levels/tiers must be [skills, profiles])")
        if len(np.unique(self.ids)) != n:
            raise MatchingInputError("プロフィールIDが重複しています (duplicate profile ids)")
        if n and (self.home_prefecture.min() < 1 or self.home_prefecture.max() > 47):
            raise MatchingInputError("都道府県コードは1〜47です (prefecture code must be 1-47)")
        # Always reachable on site: the home prefecture.
        self.travel_mask = self.travel_mask | (np.uint64(1) << (self.home_prefecture.astype(np.uint64) - 1))
        self._row_of_id = {int(i): r for r, i in enumerate(self.ids.tolist())}

    def __len__(self) -> int:
        return len(self.ids)

    def row_of(self, profile_id: int) -> int:
        """Row index of a profile id."""
        try:
            return self._row_of_id[profile_id]
        except KeyError:
            raise MatchingInputError(f"プロフィールがありません: {profile_id} (no such profile)") from None

    @classmethod
    def from_profiles(cls, standard: SkillStandard, profiles: Sequence[Profile]) -> ProfileTable:
        """Build the table from records; every profile must be assessed against ``standard``."""
        s, n = len(standard.skills), len(profiles)
        levels = np.zeros((s, n), dtype=np.uint8)
        tiers = np.zeros((s, n), dtype=np.uint8)
        for row, p in enumerate(profiles):
            if p.skills.standard_tag != standard.tag:
                raise MatchingInputError(
                    f"プロフィール {p.id} は {p.skills.standard_tag} で評価されています。"
                    f"{standard.tag} で再評価してください "
                    f"(profile assessed against another version of the standard)"
                )
            levels[:, row] = p.skills.levels_vector(standard)
            tiers[:, row] = p.skills.tiers_vector(standard)
            prefecture_name(p.home_prefecture)
        return cls(
            standard_tag=standard.tag,
            ids=np.array([p.id for p in profiles], dtype=np.int64),
            kinds=np.array([kinds_mask(set(p.kinds)) for p in profiles], dtype=np.uint8),
            levels=levels,
            tiers=tiers,
            hours=np.array([p.hours_per_month for p in profiles], dtype=np.int32),
            remote_ok=np.array([p.remote_ok for p in profiles], dtype=np.bool_),
            on_site_ok=np.array([p.on_site_ok for p in profiles], dtype=np.bool_),
            home_prefecture=np.array([p.home_prefecture for p in profiles], dtype=np.int8),
            travel_mask=np.array(
                [prefecture_mask(set(p.travel_prefectures)) for p in profiles], dtype=np.uint64
            ),
            min_fee=np.array([p.min_fee_per_hour for p in profiles], dtype=np.int32),
            available_from=np.array([day_number(p.available_from) for p in profiles], dtype=np.int32),
            languages=np.array([language_mask(set(p.languages)) for p in profiles], dtype=np.uint16),
            mentor_fields=np.array([_bits(p.mentor_fields) for p in profiles], dtype=np.uint32),
            mentor_stages=np.array(
                [_bits({int(x) for x in p.mentor_stages}) for p in profiles], dtype=np.uint8
            ),
        )

    @classmethod
    def from_polars(cls, standard: SkillStandard, frame: Any) -> ProfileTable:
        """Build the table from a Polars frame with already-encoded columns.

        Columns: ``id``, ``kinds`` (bit mask), ``levels`` and ``tiers`` (lists of 49 small ints in the
        standard's skill order), ``hours``, ``remote_ok``, ``on_site_ok``, ``home_prefecture``,
        ``travel_mask``, ``min_fee``, ``available_from`` (date), ``languages``, ``mentor_fields``,
        ``mentor_stages`` (bit masks).
        """
        import polars as pl

        try:
            levels = np.asarray(frame["levels"].to_list(), dtype=np.uint8).reshape(len(frame), -1).T.copy()
            tiers = np.asarray(frame["tiers"].to_list(), dtype=np.uint8).reshape(len(frame), -1).T.copy()
            days = np.array([day_number(d) for d in frame["available_from"].to_list()], dtype=np.int32)
            return cls(
                standard_tag=standard.tag,
                ids=frame["id"].to_numpy().astype(np.int64),
                kinds=frame["kinds"].to_numpy().astype(np.uint8),
                levels=levels,
                tiers=tiers,
                hours=frame["hours"].to_numpy().astype(np.int32),
                remote_ok=frame["remote_ok"].to_numpy().astype(np.bool_),
                on_site_ok=frame["on_site_ok"].to_numpy().astype(np.bool_),
                home_prefecture=frame["home_prefecture"].to_numpy().astype(np.int8),
                travel_mask=frame["travel_mask"].to_numpy().astype(np.uint64),
                min_fee=frame["min_fee"].to_numpy().astype(np.int32),
                available_from=days,
                languages=frame["languages"].to_numpy().astype(np.uint16),
                mentor_fields=frame["mentor_fields"].to_numpy().astype(np.uint32),
                mentor_stages=frame["mentor_stages"].to_numpy().astype(np.uint8),
            )
        except (KeyError, pl.exceptions.ColumnNotFoundError) as exc:
            raise MatchingInputError(f"列がありません: {exc} (missing column)") from None

    def with_levels_row_major(self) -> U8:
        """``[profiles, skills]`` copy of the levels (what a naive scorer would keep)."""
        return np.ascontiguousarray(self.levels.T)


@dataclass(slots=True)
class NeedTable:
    """All needs as columns; required skills are kept sparse (CSR): ``req_ptr[i]:req_ptr[i+1]``."""

    standard_tag: str
    n_skills: int
    ids: I64
    kind: U8
    served_by_mask: U8
    req_ptr: I64
    req_skill: I16
    req_level: U8
    hours: I32
    mode: U8
    prefecture: I8
    budget: I32
    start: I32
    languages: U16
    business_field: I8
    stage: I8
    req_total: I64 = field(init=False)
    # The same requirements padded to the longest need: ``pad_skill`` points past the last skill (a slot
    # that reads level 0) where a need has fewer items. Scoring many needs for one person reads these.
    pad_skill: I16 = field(init=False)
    pad_level: U8 = field(init=False)
    _row_of_id: dict[int, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        n = len(self.ids)
        if len(self.req_ptr) != n + 1 or self.req_ptr[0] != 0 or self.req_ptr[-1] != len(self.req_skill):
            raise MatchingInputError("必要スキルの索引が不正です (bad required-skill index)")
        if len(np.unique(self.ids)) != n:
            raise MatchingInputError("ニーズIDが重複しています (duplicate need ids)")
        if n and (self.prefecture.min() < 1 or self.prefecture.max() > 47):
            raise MatchingInputError("都道府県コードは1〜47です (prefecture code must be 1-47)")
        if len(self.req_skill) and (self.req_level.min() < 1 or self.req_level.max() > 4):
            raise MatchingInputError("必要レベルは d〜a です (required levels must be d..a)")
        cum = np.concatenate(([0], np.cumsum(self.req_level, dtype=np.int64)))
        self.req_total = cum[self.req_ptr[1:]] - cum[self.req_ptr[:-1]]
        counts = np.diff(self.req_ptr)
        width = int(counts.max()) if n else 0
        self.pad_skill = np.full((n, width), self.n_skills, dtype=np.int16)
        self.pad_level = np.zeros((n, width), dtype=np.uint8)
        rows = np.repeat(np.arange(n), counts)
        cols = np.arange(len(self.req_skill)) - np.repeat(self.req_ptr[:-1], counts)
        self.pad_skill[rows, cols] = self.req_skill
        self.pad_level[rows, cols] = self.req_level
        self._row_of_id = {int(i): r for r, i in enumerate(self.ids.tolist())}

    def __len__(self) -> int:
        return len(self.ids)

    def row_of(self, need_id: int) -> int:
        """Row index of a need id."""
        try:
            return self._row_of_id[need_id]
        except KeyError:
            raise MatchingInputError(f"ニーズがありません: {need_id} (no such need)") from None

    def required(self, row: int) -> tuple[npt.NDArray[np.int16], U8]:
        """Skill indices and required levels of one need."""
        lo, hi = int(self.req_ptr[row]), int(self.req_ptr[row + 1])
        return self.req_skill[lo:hi], self.req_level[lo:hi]

    def dense_required(self) -> U8:
        """``[needs, skills]`` dense matrix of required levels (0 = not required)."""
        dense = np.zeros((len(self), self.n_skills), dtype=np.uint8)
        rows = np.repeat(np.arange(len(self)), np.diff(self.req_ptr))
        dense[rows, self.req_skill] = self.req_level
        return dense

    @classmethod
    def from_polars(cls, standard: SkillStandard, frame: Any) -> NeedTable:
        """Build the table from a Polars frame with already-encoded columns.

        Columns: ``id``, ``kind`` (:class:`NeedKind` value), ``req_skill`` and ``req_level`` (lists of skill
        indices in the standard's order and of levels 1–4), ``hours``, ``mode`` (:class:`WorkMode` value),
        ``prefecture``, ``budget``, ``start`` (date), ``languages`` (bit mask), ``business_field`` and
        ``stage`` (-1 when not a mentoring need).
        """
        import polars as pl

        try:
            skills = frame["req_skill"].to_list()
            levels = frame["req_level"].to_list()
            if any(len(s) != len(lv) for s, lv in zip(skills, levels, strict=True)):
                raise MatchingInputError("req_skill と req_level の長さが違います (length mismatch)")
            if any(not 0 <= i < len(standard.skills) for s in skills for i in s):
                raise MatchingInputError("スキル番号が範囲外です (skill index out of range)")
            kind = frame["kind"].to_numpy().astype(np.uint8)
            if len(kind) and int(kind.max()) > max(NeedKind):
                raise MatchingInputError("ニーズの種類が不正です (unknown need kind)")
            served = np.array([kinds_mask(SERVED_BY[k]) for k in NeedKind], dtype=np.uint8)[kind]
            return cls(
                standard_tag=standard.tag,
                n_skills=len(standard.skills),
                ids=frame["id"].to_numpy().astype(np.int64),
                kind=kind,
                served_by_mask=served,
                req_ptr=np.concatenate(([0], np.cumsum([len(s) for s in skills]))).astype(np.int64),
                req_skill=np.array([i for s in skills for i in s], dtype=np.int16),
                req_level=np.array([v for lv in levels for v in lv], dtype=np.uint8),
                hours=frame["hours"].to_numpy().astype(np.int32),
                mode=frame["mode"].to_numpy().astype(np.uint8),
                prefecture=frame["prefecture"].to_numpy().astype(np.int8),
                budget=frame["budget"].to_numpy().astype(np.int32),
                start=np.array([day_number(d) for d in frame["start"].to_list()], dtype=np.int32),
                languages=frame["languages"].to_numpy().astype(np.uint16),
                business_field=frame["business_field"].to_numpy().astype(np.int8),
                stage=frame["stage"].to_numpy().astype(np.int8),
            )
        except (KeyError, pl.exceptions.ColumnNotFoundError) as exc:
            raise MatchingInputError(f"列がありません: {exc} (missing column)") from None

    @classmethod
    def from_needs(cls, standard: SkillStandard, needs: Sequence[Need]) -> NeedTable:
        """Build the table from records; every need must name ``standard``'s version."""
        ptr, skills, levels = [0], [], []
        for need in needs:
            if need.standard_tag != standard.tag:
                raise MatchingInputError(
                    f"ニーズ {need.id} は {need.standard_tag} で書かれています。"
                    f"{standard.tag} で書き直してください "
                    f"(need written against another version of the standard)"
                )
            prefecture_name(need.prefecture)
            for skill_id, level in sorted(need.required.items(), key=lambda kv: standard.skill(kv[0]).index):
                if level > SkillLevel.Z:
                    skills.append(standard.skill(skill_id).index)
                    levels.append(int(level))
            ptr.append(len(skills))
        return cls(
            standard_tag=standard.tag,
            n_skills=len(standard.skills),
            ids=np.array([n.id for n in needs], dtype=np.int64),
            kind=np.array([int(n.kind) for n in needs], dtype=np.uint8),
            served_by_mask=np.array([kinds_mask(SERVED_BY[n.kind]) for n in needs], dtype=np.uint8),
            req_ptr=np.array(ptr, dtype=np.int64),
            req_skill=np.array(skills, dtype=np.int16),
            req_level=np.array(levels, dtype=np.uint8),
            hours=np.array([n.hours_per_month for n in needs], dtype=np.int32),
            mode=np.array([int(n.mode) for n in needs], dtype=np.uint8),
            prefecture=np.array([n.prefecture for n in needs], dtype=np.int8),
            budget=np.array([n.budget_per_hour for n in needs], dtype=np.int32),
            start=np.array([day_number(n.start) for n in needs], dtype=np.int32),
            languages=np.array([language_mask(set(n.languages)) for n in needs], dtype=np.uint16),
            business_field=np.array([n.business_field for n in needs], dtype=np.int8),
            stage=np.array([NO_CODE if n.stage is None else int(n.stage) for n in needs], dtype=np.int8),
        )


def _bits(values: set[int] | frozenset[int]) -> int:
    mask = 0
    for v in values:
        mask |= 1 << int(v)
    return mask
