"""Checking combined hours against the limits, with warnings before a limit is reached.

Which limits are combined follows the guideline: the worker's 時間外 + 休日労働 must stay under 100 h in
every month and at most 80 h on average over every 2–6 month window, counting all employers (通算).
Each employer's own 36協定 limits (45 h/month, 360 h/year, and under a special clause 720 h/year and at
most 6 months over 45 h) bound that employer's own overtime and are not combined.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from chiiki.sidejob.hours._combine import CombinedHours, EmployerMonth
from chiiki.sidejob.hours._records import Agreement36, Contract
from chiiki.sidejob.hours._regime import HOUR, Regime, RegimeBook

WORKER = "worker"


class Rule(StrEnum):
    """The limit a warning is about."""

    COMBINED_MONTHLY = "combined_monthly_100h"  # 単月100時間未満（通算）
    COMBINED_AVERAGE = "combined_average_80h"  # 2〜6か月平均80時間以内（通算）
    AGREEMENT_MONTHLY = "agreement_monthly"  # 36協定の月の上限
    AGREEMENT_ANNUAL = "agreement_annual"  # 36協定の年の上限（360時間／特別条項720時間）
    SPECIAL_MONTHS = "special_months"  # 限度時間超えは年6か月まで
    NO_AGREEMENT = "no_agreement"  # 36協定なしの時間外・休日労働
    MODEL_CAP = "management_model_cap"  # 管理モデルで合意した上限


RULE_JA: dict[Rule, str] = {
    Rule.COMBINED_MONTHLY: "時間外・休日労働の合計（通算）は月100時間未満",
    Rule.COMBINED_AVERAGE: "時間外・休日労働の合計（通算）は2〜6か月平均で80時間以内",
    Rule.AGREEMENT_MONTHLY: "36協定で定めた月の時間外労働の上限",
    Rule.AGREEMENT_ANNUAL: "36協定で定めた年の時間外労働の上限",
    Rule.SPECIAL_MONTHS: "協定の月の上限（限度時間45時間以内）を超えられるのは年6か月まで",
    Rule.NO_AGREEMENT: "36協定なしに時間外・休日労働はさせられません",
    Rule.MODEL_CAP: "管理モデルで事前に合意した上限",
}


class Severity(StrEnum):
    """Approaching: within the margin of the limit. Exceeded: the limit is broken."""

    APPROACHING = "approaching"
    EXCEEDED = "exceeded"


@dataclass(frozen=True, slots=True)
class WarningPolicy:
    """When to warn: ``margin_minutes`` before a limit in hours, and at the last allowed month over 45 h."""

    margin_minutes: int = 10 * HOUR


@dataclass(frozen=True, slots=True)
class LimitWarning:
    """A warning to one recipient (``"worker"`` or an employer id)."""

    recipient: str
    rule: Rule
    month: dt.date
    value: int
    limit: int
    severity: Severity
    detail: str = ""
    window_months: int = 0  # for COMBINED_AVERAGE: the window whose average is meant (detail words it)

    def message_ja(self) -> str:
        """Plain Japanese, e.g. ``2026年4月: …上限に近づいています（92時間／100時間未満）``."""
        state = "上限を超えています" if self.severity is Severity.EXCEEDED else "上限に近づいています"
        unit = "か月" if self.rule is Rule.SPECIAL_MONTHS else "時間"
        value = self.value if self.rule is Rule.SPECIAL_MONTHS else self.value / HOUR
        limit = self.limit if self.rule is Rule.SPECIAL_MONTHS else self.limit / HOUR
        extra = f"（{self.detail}）" if self.detail else ""
        return (
            f"{self.month.year}年{self.month.month}月: {RULE_JA[self.rule]}。{state}"
            f"（{value:g}{unit}／{limit:g}{unit}）{extra}"
        )

    def message_en(self) -> str:
        """Short English version."""
        return f"{self.month:%Y-%m} {self.rule.value}: {self.severity.value} ({self.value} of {self.limit})"


def _months_back(month: dt.date, n: int) -> list[dt.date]:
    out = []
    y, m = month.year, month.month
    for _ in range(n):
        out.append(dt.date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out


def _agreement_year(month: dt.date, start_month: int) -> list[dt.date]:
    """Months of the agreement year up to and including ``month``."""
    back = (month.month - start_month) % 12
    return list(reversed(_months_back(month, back + 1)))


def grade_against_limit(value: int, limit: int, margin: int, *, strict: bool) -> Severity | None:
    """EXCEEDED past the limit (``strict``: at it too), APPROACHING within ``margin`` below it, else None."""
    broken = value >= limit if strict else value > limit
    if broken:
        return Severity.EXCEEDED
    if value >= limit - margin and value > 0:
        return Severity.APPROACHING
    return None


def check_limits(
    contracts: Iterable[Contract],
    hours: CombinedHours,
    regimes: RegimeBook,
    policy: WarningPolicy = WarningPolicy(),
) -> list[LimitWarning]:
    """Every warning for every month with records, to the worker and to each employer concerned."""
    employers = {c.employer_id: c for c in contracts if c.combined}
    recipients = [WORKER, *sorted(employers)]
    totals = {m: hours.worker_overtime_and_holiday(m) for m in hours.months()}
    margin = policy.margin_minutes
    out: list[LimitWarning] = []
    for month in hours.months():
        regime = regimes.for_date(month)
        out += _combined_warnings(month, totals, regime, margin, recipients)
        for em in hours.for_month(month):
            out += _employer_warnings(em, employers[em.employer_id], hours, regime, margin)
    return out


def _combined_warnings(
    month: dt.date, totals: dict[dt.date, int], regime: Regime, margin: int, recipients: list[str]
) -> list[LimitWarning]:
    """The combined 100 h monthly cap and the 80 h average over 2–6 months, to the worker and every employer."""
    out: list[LimitWarning] = []
    value = totals[month]
    sev = grade_against_limit(value, regime.combined_monthly_cap, margin, strict=True)
    if sev:
        out += [
            LimitWarning(r, Rule.COMBINED_MONTHLY, month, value, regime.combined_monthly_cap, sev)
            for r in recipients
        ]
    worst = _worst_average(month, totals, regime, margin)
    if worst:
        window, avg_total, sev = worst
        out += [
            LimitWarning(
                r, Rule.COMBINED_AVERAGE, month, avg_total // window, regime.combined_average_cap, sev,
                f"直近{window}か月平均", window,
            )
            for r in recipients
        ]  # fmt: skip
    return out


def _worst_average(
    month: dt.date, totals: dict[dt.date, int], regime: Regime, margin: int
) -> tuple[int, int, Severity] | None:
    """The first averaging window that is exceeded, else the first that is approached (window, total, severity)."""
    worst: tuple[int, int, Severity] | None = None
    for window in regime.average_windows:
        avg_total = sum(totals.get(m, 0) for m in _months_back(month, window))
        cap_total = regime.combined_average_cap * window
        sev = grade_against_limit(avg_total, cap_total, margin * window, strict=False)
        if sev and (worst is None or (sev is Severity.EXCEEDED and worst[2] is Severity.APPROACHING)):
            worst = (window, avg_total, sev)
    return worst


def _employer_warnings(
    em: EmployerMonth, contract: Contract, hours: CombinedHours, regime: Regime, margin: int
) -> list[LimitWarning]:
    """One employer's own 36協定 in one month (month, year, special-clause months), to it and the worker."""
    own_overtime = em.overtime(regime)
    to = [em.employer_id, WORKER]
    agreement = contract.agreement
    if agreement is None:
        if own_overtime or em.holiday:
            return [
                LimitWarning(r, Rule.NO_AGREEMENT, em.month, own_overtime + em.holiday, 0, Severity.EXCEEDED)
                for r in to
            ]
        return []
    out: list[LimitWarning] = []
    monthly_limit = agreement.special_monthly_limit if agreement.special_clause else agreement.monthly_limit
    sev = grade_against_limit(own_overtime, monthly_limit, margin, strict=False)
    if sev:
        out += [
            LimitWarning(r, Rule.AGREEMENT_MONTHLY, em.month, own_overtime, monthly_limit, sev) for r in to
        ]
    year = _agreement_year(em.month, agreement.year_start_month)
    year_overtime = [
        x.overtime(regime) for m in year if (x := hours.employer_months.get((em.employer_id, m)))
    ]
    annual_limit = agreement.special_annual_limit if agreement.special_clause else agreement.annual_limit
    sev = grade_against_limit(sum(year_overtime), annual_limit, margin, strict=False)
    if sev:
        out += [
            LimitWarning(r, Rule.AGREEMENT_ANNUAL, em.month, sum(year_overtime), annual_limit, sev)
            for r in to
        ]
    if agreement.special_clause and own_overtime > agreement.monthly_limit:
        out += _special_months_warnings(em.month, agreement, year_overtime, regime, to)
    return out


def _special_months_warnings(
    month: dt.date, agreement: Agreement36, year_overtime: list[int], regime: Regime, to: list[str]
) -> list[LimitWarning]:
    """Months over the 45 h limit under a special clause: at most six (or fewer, as agreed) a year."""
    over = sum(1 for minutes in year_overtime if minutes > agreement.monthly_limit)
    allowed = min(agreement.special_months, regime.special_months_max)
    if over < allowed:
        return []
    sev = Severity.EXCEEDED if over > allowed else Severity.APPROACHING
    return [LimitWarning(r, Rule.SPECIAL_MONTHS, month, over, allowed, sev) for r in to]
