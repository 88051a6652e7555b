"""A match explanation in the page's language: the engine's figures, worded through gettext.

The engine (chiiki.talent.matching) stays Django-free and words its own summary in Japanese for the API; the
pages word the same figures here so that English pages read in English.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from chiiki.talent import skills
from chiiki.talent.forms import PREFECTURE_CHOICES, STAGE_CHOICES
from chiiki.talent.matching import (
    EPOCH,
    FULL,
    NO_BUDGET_LIMIT,
    LocationFit,
    MatchExplanation,
    SkillFit,
    WorkMode,
)
from chiiki.talent.standard import EvidenceTier


def _tier(tier: EvidenceTier) -> str:
    return {
        EvidenceTier.SELF_DECLARED: _("自己申告"),
        EvidenceTier.EVIDENCED: _("根拠あり"),
        EvidenceTier.ENDORSED: _("推薦あり"),
    }[tier]


def _mode(mode: WorkMode) -> str:
    return {WorkMode.REMOTE: _("リモート"), WorkMode.ON_SITE: _("現地"), WorkMode.HYBRID: _("併用")}[mode]


def _skill(fit: SkillFit) -> str:
    return _("%(skill)s: 必要 %(required)s / 本人 %(level)s(%(tier)s)") % {
        "skill": skills.skill_name(fit.skill_id),
        "required": fit.required.code,
        "level": fit.level.code,
        "tier": _tier(fit.tier),
    }


def _location(fit: LocationFit) -> str:
    return {
        LocationFit.SAME_PREFECTURE: _("同じ都道府県に在住"),
        LocationFit.SAME_REGION: _("同じ地方に在住"),
        LocationFit.SAME_REGION_TRAVEL: _("同じ地方に在住、出張可"),
        LocationFit.REMOTE: _("リモート対応"),
        LocationFit.TRAVEL: _("出張可"),
    }[fit]


def explanation_lines(e: MatchExplanation) -> list[str]:
    """The lines shown next to a match: score, skills met and short, evidence, hours, start, place, fee."""
    lines = [
        _("総合 %(score).1f 点(スキル %(skill)d%%)")
        % {"score": e.score_percent, "skill": round(100 * e.components.skill / FULL)}
    ]
    if e.skills_met:
        lines.append(_("満たすスキル: %(list)s") % {"list": _("、").join(_skill(f) for f in e.skills_met)})
    if e.skills_short:
        lines.append(
            _("不足するスキル: %(list)s") % {"list": _("、").join(_skill(f) for f in e.skills_short)}
        )
    lines.append(
        _("根拠の強さ: 満たすスキルのうち %(share)d%% が資格・実績・推薦で裏付け")
        % {"share": round(100 * e.evidence_strength)}
    )
    lines.append(
        _("稼働: 必要 月%(needed)d時間 / 可能 月%(available)d時間")
        % {"needed": e.hours_needed, "available": e.hours_available}
    )
    start = EPOCH + dt.timedelta(days=e.start_day)
    available = EPOCH + dt.timedelta(days=e.available_from_day)
    lines.append(
        _("開始: 希望 %(start)s / 稼働可能 %(available)sから")
        % {"start": f"{start:%Y-%m-%d}", "available": f"{available:%Y-%m-%d}"}
    )
    prefecture = dict(PREFECTURE_CHOICES).get(e.need_prefecture, "")
    lines.append(
        _("場所: %(mode)s・%(prefecture)s(%(fit)s)")
        % {"mode": _mode(e.mode), "prefecture": prefecture, "fit": _location(e.location)}
    )
    if e.budget_per_hour != NO_BUDGET_LIMIT:
        lines.append(
            _("報酬: 予算 時給%(budget)s円 / 希望 時給%(fee)s円以上")
            % {"budget": f"{e.budget_per_hour:,}", "fee": f"{e.min_fee_per_hour:,}"}
        )
    if e.field_match is not None:
        lines.append(_("分野: 一致") if e.field_match else _("分野: 不一致"))
    if e.stage is not None:
        lines.append(_("ステージ: %(stage)s(対応可)") % {"stage": dict(STAGE_CHOICES)[int(e.stage)]})
    if e.exposure_penalty:
        lines.append(
            _("露出調整: -%(points).1f 点(表示回数の多いプロフィールを少し下げています)")
            % {"points": e.exposure_penalty / FULL}
        )
    return lines
