"""The simplified 管理モデル of the side-job guideline (2020-09 revision).

Before the side job starts, the employers agree caps so that neither needs the other's actual hours:

* the employer whose contract came first (使用者A) caps its own 法定外労働 (overtime + holiday work);
* every later employer (使用者B, …) caps *all* the hours it uses the worker, and treats all of them as
  its overtime (it pays the premium and needs a 36協定 covering them);
* the caps added together keep the worker under 100 h a month and within 80 h on average, so with the
  same caps every month their sum must be at most 80 h.

Each employer then checks only its own hours against its own cap.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from chiiki.sidejob.hours._limits import WORKER, LimitWarning, Rule, WarningPolicy, grade_against_limit
from chiiki.sidejob.hours._records import Contract
from chiiki.sidejob.hours._regime import HOUR, Regime


@dataclass(frozen=True, slots=True)
class ModelCap:
    """One employer's monthly cap in minutes (first employer: its 法定外; later ones: all their hours)."""

    contract: Contract
    monthly_cap: int


@dataclass(frozen=True, slots=True)
class ManagementModel:
    """An agreed 管理モデル between the worker's employers."""

    caps: tuple[ModelCap, ...]

    @property
    def ordered(self) -> tuple[ModelCap, ...]:
        """Caps in the order the contracts were concluded; the first is 使用者A."""
        return tuple(sorted(self.caps, key=lambda c: (c.contract.concluded_on, c.contract.employer_id)))

    def problems(self, regime: Regime) -> list[str]:
        """Why this agreement does not hold under ``regime`` (empty when it does)."""
        out: list[str] = []
        if not regime.management_model_available:
            out.append(f"この時点の規則（{regime.name}）には管理モデルがありません")
        if len(self.caps) < 2:
            out.append("管理モデルには2つ以上の使用者が必要です")
        if any(not c.contract.combined for c in self.caps):
            out.append("雇用契約でない契約（委任・請負等）は管理モデルに含めません")
        total = sum(c.monthly_cap for c in self.caps)
        if total >= regime.combined_monthly_cap:
            out.append(
                f"上限の合計 {total / HOUR:g} 時間が月{regime.combined_monthly_cap // HOUR}時間未満になっていません"
            )
        if total > regime.combined_average_cap:
            out.append(
                f"上限の合計 {total / HOUR:g} 時間が複数月平均{regime.combined_average_cap // HOUR}時間以内になっていません"
            )
        for i, cap in enumerate(self.ordered):
            agreement = cap.contract.agreement
            name = cap.contract.employer_name
            if cap.monthly_cap and agreement is None:
                out.append(f"{name}: 36協定がないため時間外労働の上限を設定できません")
                continue
            if agreement is None:
                continue
            limit = agreement.special_monthly_limit if agreement.special_clause else agreement.monthly_limit
            if cap.monthly_cap > limit:
                role = "法定外労働" if i == 0 else "労働時間（すべて時間外労働として扱う）"
                out.append(
                    f"{name}: {role}の上限 {cap.monthly_cap / HOUR:g} 時間が36協定の月の上限を超えています"
                )
        return out

    def check_month(
        self,
        employer_id: str,
        month: dt.date,
        minutes: int,
        policy: WarningPolicy = WarningPolicy(),  # noqa: B008 - frozen, safe as a default
    ) -> list[LimitWarning]:
        """Warnings for one employer's own month: pass 使用者A's 法定外労働, or a later employer's total hours."""
        for cap in self.caps:
            if cap.contract.employer_id == employer_id:
                sev = grade_against_limit(minutes, cap.monthly_cap, policy.margin_minutes, strict=False)
                if sev is None:
                    return []
                return [
                    LimitWarning(r, Rule.MODEL_CAP, month, minutes, cap.monthly_cap, sev)
                    for r in (employer_id, WORKER)
                ]
        raise ValueError(f"管理モデルに含まれない使用者です: {employer_id} (employer not in this model)")
