"""Match lists in the app: stored profiles and needs turned into the matching engine's tables, then ranked.

The engine (chiiki.talent.matching) is Django-free; this module only reads rows and encodes them.

Candidates for a need are ranked in the engine's fair-exposure mode by default: the :class:`Exposure` ledger
records how often each profile was shown in that need's list (written by the action
``chiiki.talent.actions.show_candidates_for_need``; this module only reads it), and a profile shown often gives way to one whose
score is within the engine's tolerance (``FairnessPolicy.tolerance``, two points of 100) but never to a clearly
worse fit. Counts halve for every week a profile is not shown, so exposure fades. Exact mode (pure score order)
stays available. In both modes equal scores rotate with the ISO week as the epoch. Needs for a person are
ranked in exact mode (no ledger is kept over needs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.db.models import QuerySet
from django.utils import timezone

from chiiki.talent.matching import (
    LANGUAGES,
    NO_CODE,
    ExposureLedger,
    Match,
    MatchingEngine,
    NeedKind,
    NeedTable,
    ProfileKind,
    ProfileTable,
    RankingMode,
    StartupStage,
    WorkMode,
    day_number,
    language_mask,
    prefecture_mask,
)
from chiiki.talent.matching import Need as EngineNeed
from chiiki.talent.models import Exposure, Need, TalentProfile, TalentSkill
from chiiki.talent.skills import current_standard
from chiiki.talent.standard import SkillLevel


@dataclass(frozen=True, slots=True)
class ProfileMatch:
    """A profile ranked for a need."""

    profile: TalentProfile
    match: Match


@dataclass(frozen=True, slots=True)
class NeedMatch:
    """A need ranked for a profile."""

    need: Need
    match: Match


def rotation_epoch(day: dt.date | None = None) -> int:
    """The ISO year and week, e.g. 202648: ties rotate once a week."""
    year, week, _ = (day or timezone.localdate()).isocalendar()
    return year * 100 + week


def _bits(values: Sequence[int]) -> int:
    out = 0
    for v in values:
        if 0 <= int(v) < 32:
            out |= 1 << int(v)
    return out


def profile_table(profiles: Sequence[TalentProfile]) -> ProfileTable:
    """Encode profiles (assessed against the current standard) as the engine's columns."""
    standard = current_standard()
    index = {s.id: s.index for s in standard.skills}
    row_of = {p.pk: r for r, p in enumerate(profiles)}
    levels = np.zeros((len(standard.skills), len(profiles)), dtype=np.uint8)
    tiers = np.zeros_like(levels)
    rows = TalentSkill.objects.filter(profile_id__in=list(row_of)).values_list(
        "profile_id", "skill_id", "declared", "tier"
    )
    for profile_id, skill_id, declared, tier in rows:
        if skill_id in index:
            levels[index[skill_id], row_of[profile_id]] = declared
            tiers[index[skill_id], row_of[profile_id]] = tier

    def kinds(p: TalentProfile) -> int:
        flags = (
            (p.is_digital_talent, ProfileKind.DIGITAL_TALENT),
            (p.is_mentor, ProfileKind.MENTOR),
            (p.is_management, ProfileKind.MANAGEMENT),
            (p.is_side_job, ProfileKind.SIDE_JOB),
        )
        return _bits([int(kind) for on, kind in flags if on])

    return ProfileTable(
        standard_tag=standard.tag,
        ids=np.array([p.pk for p in profiles], dtype=np.int64),
        kinds=np.array([kinds(p) for p in profiles], dtype=np.uint8),
        levels=levels,
        tiers=tiers,
        hours=np.array([p.hours_per_month for p in profiles], dtype=np.int32),
        remote_ok=np.array([p.remote_ok for p in profiles], dtype=np.bool_),
        on_site_ok=np.array([p.on_site_ok for p in profiles], dtype=np.bool_),
        home_prefecture=np.array([p.home_prefecture for p in profiles], dtype=np.int8),
        travel_mask=np.array(
            [prefecture_mask([c for c in p.travel_prefectures if 1 <= c <= 47]) for p in profiles],
            dtype=np.uint64,
        ),
        min_fee=np.array([p.fee_min_per_hour for p in profiles], dtype=np.int32),
        available_from=np.array([day_number(p.available_from) for p in profiles], dtype=np.int32),
        languages=np.array(
            [language_mask([c for c in p.languages if c in LANGUAGES]) for p in profiles], dtype=np.uint16
        ),
        mentor_fields=np.array([_bits(p.mentor_fields) for p in profiles], dtype=np.uint32),
        mentor_stages=np.array([_bits(p.mentor_stages) for p in profiles], dtype=np.uint8),
    )


def engine_need(need: Need) -> EngineNeed:
    """One stored need as the engine's record."""
    return EngineNeed(
        id=need.pk,
        kind=NeedKind(need.kind),
        standard_tag=need.standard_tag,
        required={skill_id: SkillLevel.from_code(code) for skill_id, code in need.required.items()},
        hours_per_month=need.hours_per_month,
        mode=WorkMode(need.work_mode),
        prefecture=need.prefecture,
        budget_per_hour=need.budget_per_hour,
        start=need.start_on,
        languages=frozenset(c for c in need.languages if c in LANGUAGES),
        business_field=NO_CODE if need.business_field is None else need.business_field,
        stage=None if need.startup_stage is None else StartupStage(need.startup_stage),
    )


def need_table(needs: Sequence[Need]) -> NeedTable:
    """Encode needs (written against the current standard) as the engine's columns."""
    return NeedTable.from_needs(current_standard(), [engine_need(n) for n in needs])


def effective_exposure(times_shown: int, last_shown: dt.datetime, now: dt.datetime) -> int:
    """The ledger count after halving once per whole week since the profile was last shown."""
    weeks = max(0, (now - last_shown).days // 7)
    return times_shown >> min(weeks, 31)


def _ledger(need: Need, pool: Sequence[TalentProfile], now: dt.datetime) -> ExposureLedger:
    ledger = ExposureLedger.for_size(len(pool))
    row_of = {p.pk: r for r, p in enumerate(pool)}
    for profile_id, times, last in Exposure.objects.filter(need=need).values_list(
        "profile_id", "times_shown", "last_shown"
    ):
        if profile_id in row_of:
            ledger.counts[row_of[profile_id]] = effective_exposure(times, last, now)
    return ledger


@dataclass(frozen=True, slots=True)
class CandidatePage:
    """One page of a need's candidate list and how many candidates there are in all."""

    results: list[ProfileMatch]
    total: int  # profiles the viewer may list that meet every hard constraint of the need
    offset: int  # how many come before this page

    @property
    def first_rank(self) -> int:
        """The rank of the first candidate on the page (1 on the first page)."""
        return self.offset + 1

    @property
    def last_rank(self) -> int:
        """The rank of the last candidate on the page (0 when the page is empty)."""
        return self.offset + len(self.results)


def candidate_page(
    need: Need,
    profiles: QuerySet[TalentProfile],
    *,
    k: int = 20,
    offset: int = 0,
    day: dt.date | None = None,
    mode: RankingMode = RankingMode.FAIR,
) -> CandidatePage:
    """Candidates `offset + 1` to `offset + k` of `profiles` (already limited to what the viewer may list) for
    `need`, explained, with the number of candidates in all. Every candidate can be reached page by page, so a
    profile that ranks below the first page still shows. Reads the exposure ledger in FAIR mode but does not
    update it (the action `show_candidates_for_need` does)."""
    standard = current_standard()
    pool = list(profiles.filter(standard_tag=standard.tag).select_related("user").order_by("pk"))
    if not pool or need.standard_tag != standard.tag:
        return CandidatePage([], 0, offset)
    engine = MatchingEngine(standard, profile_table(pool), need_table([need]))
    by_id = {p.pk: p for p in pool}
    ledger = _ledger(need, pool, timezone.now()) if mode is RankingMode.FAIR else None
    matches = engine.candidates_for_need(
        need.pk, k=k, offset=offset, epoch=rotation_epoch(day), mode=mode, ledger=ledger
    )
    results = [ProfileMatch(by_id[m.profile_id], m) for m in matches]
    return CandidatePage(results, engine.count_candidates(need.pk), offset)


def candidates_for_need(
    need: Need,
    profiles: QuerySet[TalentProfile],
    *,
    k: int = 20,
    day: dt.date | None = None,
    mode: RankingMode = RankingMode.FAIR,
) -> list[ProfileMatch]:
    """The best `k` of `profiles` for `need`, explained (the first page of :func:`candidate_page`)."""
    return candidate_page(need, profiles, k=k, day=day, mode=mode).results


def needs_for_profile(profile: TalentProfile, *, k: int = 20, day: dt.date | None = None) -> list[NeedMatch]:
    """The best `k` open needs for `profile`, explained."""
    standard = current_standard()
    if profile.standard_tag != standard.tag:
        return []
    needs = list(
        Need.objects.filter(status=Need.Status.OPEN, standard_tag=standard.tag).select_related("organization")
    )
    if not needs:
        return []
    engine = MatchingEngine(standard, profile_table([profile]), need_table(needs))
    by_id = {n.pk: n for n in needs}
    matches = engine.needs_for_profile(profile.pk, k=k, epoch=rotation_epoch(day))
    return [NeedMatch(by_id[m.need_id], m) for m in matches]
