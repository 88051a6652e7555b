"""Why a profile and a need were matched: the per-match explanation shown next to every result."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from chiiki.talent.matching._codes import (
    BUSINESS_FIELDS,
    REGION_OF_PREFECTURE,
    STARTUP_STAGE_JA,
    WORK_MODE_JA,
    StartupStage,
    WorkMode,
    prefecture_name,
)
from chiiki.talent.matching._scoring import FULL, MAX_SCORE, PairScore, pair_score
from chiiki.talent.matching._tables import EPOCH, NO_BUDGET_LIMIT, NO_CODE, NeedTable, ProfileTable
from chiiki.talent.standard import EvidenceTier, SkillLevel, SkillStandard

_TIER_JA = {
    EvidenceTier.SELF_DECLARED: "自己申告",
    EvidenceTier.EVIDENCED: "根拠あり",
    EvidenceTier.ENDORSED: "推薦あり",
}


class LocationFit(StrEnum):
    """How the person's home fits the need's place and work mode."""

    SAME_PREFECTURE = "same_prefecture"
    SAME_REGION = "same_region"
    SAME_REGION_TRAVEL = "same_region_travel"
    REMOTE = "remote"
    TRAVEL = "travel"


LOCATION_FIT_JA: dict[LocationFit, str] = {
    LocationFit.SAME_PREFECTURE: "同じ都道府県に在住",
    LocationFit.SAME_REGION: "同じ地方に在住",
    LocationFit.SAME_REGION_TRAVEL: "同じ地方に在住、出張可",
    LocationFit.REMOTE: "リモート対応",
    LocationFit.TRAVEL: "出張可",
}


def location_fit(home: int, prefecture: int, mode: WorkMode) -> LocationFit:
    """The fit of a home prefecture to a need's prefecture and work mode."""
    if home == prefecture:
        return LocationFit.SAME_PREFECTURE
    if REGION_OF_PREFECTURE[home] == REGION_OF_PREFECTURE[prefecture]:
        return LocationFit.SAME_REGION if mode == WorkMode.REMOTE else LocationFit.SAME_REGION_TRAVEL
    return LocationFit.REMOTE if mode == WorkMode.REMOTE else LocationFit.TRAVEL


@dataclass(frozen=True, slots=True)
class SkillFit:
    """One required skill: what the need asks for and what the person has."""

    skill_id: str
    name_ja: str
    required: SkillLevel
    level: SkillLevel
    tier: EvidenceTier

    @property
    def met(self) -> bool:
        """Whether the person's level reaches the required level."""
        return self.level >= self.required

    def describe_ja(self) -> str:
        """E.g. ``クラウドインフラ活用: 必要 b / 本人 a（根拠あり）``."""
        return f"{self.name_ja}: 必要 {self.required.code} / 本人 {self.level.code}（{_TIER_JA[self.tier]}）"


@dataclass(frozen=True, slots=True)
class MatchExplanation:
    """Everything a reader needs to see why this pair scored as it did."""

    profile_id: int
    need_id: int
    components: PairScore
    exposure_penalty: int
    skills_met: tuple[SkillFit, ...]
    skills_short: tuple[SkillFit, ...]
    evidence_strength: float
    hours_needed: int
    hours_available: int
    mode: WorkMode
    need_prefecture: int
    home_prefecture: int
    location: LocationFit
    budget_per_hour: int
    min_fee_per_hour: int
    start_day: int
    available_from_day: int
    field_match: bool | None
    stage: StartupStage | None

    @property
    def location_fit_ja(self) -> str:
        """The location fit in plain Japanese."""
        return LOCATION_FIT_JA[self.location]

    @property
    def score_percent(self) -> float:
        """The total as a percentage of the maximum."""
        return 100 * self.components.total / MAX_SCORE

    def summary_ja(self) -> str:
        """A few plain Japanese lines for the match list."""
        lines = [f"総合 {self.score_percent:.1f} 点（スキル {self.components.skill / FULL:.0%}）"]
        if self.skills_met:
            lines.append("満たすスキル: " + "、".join(f.describe_ja() for f in self.skills_met))
        if self.skills_short:
            lines.append("不足するスキル: " + "、".join(f.describe_ja() for f in self.skills_short))
        lines.append(
            f"根拠の強さ: 満たすスキルのうち {self.evidence_strength:.0%} が資格・実績・推薦で裏付け"
        )
        lines.append(f"稼働: 必要 月{self.hours_needed}時間 / 可能 月{self.hours_available}時間")
        start = EPOCH + dt.timedelta(days=self.start_day)
        available = EPOCH + dt.timedelta(days=self.available_from_day)
        lines.append(f"開始: 希望 {start:%Y-%m-%d} / 稼働可能 {available:%Y-%m-%d}から")
        lines.append(
            f"場所: {WORK_MODE_JA[self.mode]}・{prefecture_name(self.need_prefecture)}"
            f"（{self.location_fit_ja}）"
        )
        if self.budget_per_hour != NO_BUDGET_LIMIT:
            lines.append(
                f"報酬: 予算 時給{self.budget_per_hour:,}円 / 希望 時給{self.min_fee_per_hour:,}円以上"
            )
        if self.field_match is not None:
            lines.append("分野: " + ("一致" if self.field_match else "不一致"))
        if self.stage is not None:
            lines.append(f"ステージ: {STARTUP_STAGE_JA[self.stage]}（対応可）")
        if self.exposure_penalty:
            lines.append(
                f"露出調整: -{self.exposure_penalty / FULL:.1f} 点"
                "（表示回数の多いプロフィールを少し下げています）"
            )
        return "\n".join(lines)


def explain_pair(
    standard: SkillStandard,
    profiles: ProfileTable,
    p: int,
    needs: NeedTable,
    n: int,
    *,
    exposure_penalty: int = 0,
) -> MatchExplanation:
    """Build the explanation of profile row ``p`` for need row ``n``."""
    components = pair_score(profiles, p, needs, n)
    idx, req = needs.required(n)
    met: list[SkillFit] = []
    short: list[SkillFit] = []
    for s, r in zip(idx.tolist(), req.tolist(), strict=True):
        item = standard.skills[s]
        fit = SkillFit(
            item.id,
            item.name_ja,
            SkillLevel(r),
            SkillLevel(int(profiles.levels[s, p])),
            EvidenceTier(int(profiles.tiers[s, p])),
        )
        (met if fit.met else short).append(fit)
    backed = sum(1 for f in met if f.tier > EvidenceTier.SELF_DECLARED)
    home, pref = int(profiles.home_prefecture[p]), int(needs.prefecture[n])
    mode = WorkMode(int(needs.mode[n]))
    fld = int(needs.business_field[n])
    stage = int(needs.stage[n])
    return MatchExplanation(
        profile_id=int(profiles.ids[p]),
        need_id=int(needs.ids[n]),
        components=components,
        exposure_penalty=exposure_penalty,
        skills_met=tuple(met),
        skills_short=tuple(short),
        evidence_strength=backed / len(met) if met else 0.0,
        hours_needed=int(needs.hours[n]),
        hours_available=int(profiles.hours[p]),
        mode=mode,
        need_prefecture=pref,
        home_prefecture=home,
        location=location_fit(home, pref, mode),
        budget_per_hour=int(needs.budget[n]),
        min_fee_per_hour=int(profiles.min_fee[p]),
        start_day=int(needs.start[n]),
        available_from_day=int(profiles.available_from[p]),
        field_match=None if fld == NO_CODE else bool((int(profiles.mentor_fields[p]) >> fld) & 1),
        stage=None if stage == NO_CODE else StartupStage(stage),
    )


def field_name(code: int) -> str:
    """Name of a business field code."""
    return BUSINESS_FIELDS[code]
