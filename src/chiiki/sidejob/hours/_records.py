"""What employers record: contracts (with their 36協定) and blocks of work."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from chiiki.sidejob.hours._regime import Regime

SUNDAY = 6  # datetime.weekday() of Sunday


class ContractKind(StrEnum):
    """Employment is combined across employers; 委任・請負 and freelance work is recorded but not combined."""

    EMPLOYMENT = "employment"  # 雇用
    MANDATE = "mandate"  # 委任・準委任
    WORK_FOR_HIRE = "work_for_hire"  # 請負
    FREELANCE = "freelance"  # フリーランス（業務委託）


@dataclass(frozen=True, slots=True)
class Agreement36:
    """The employer's 36協定 (時間外・休日労働に関する協定), in minutes."""

    monthly_limit: int
    annual_limit: int
    special_clause: bool = False
    special_monthly_limit: int = 0  # overtime in a month under the special clause (<100 h with holiday work)
    special_annual_limit: int = 0
    special_months: int = 0
    year_start_month: int = 4  # 起算月

    def problems(self, regime: Regime) -> list[str]:
        """What in this agreement exceeds the legal maxima of ``regime`` (empty when valid)."""
        out = []
        if self.monthly_limit > regime.agreement_monthly_max:
            out.append(f"月の延長時間が限度時間 {regime.agreement_monthly_max // 60} 時間を超えています")
        if self.annual_limit > regime.agreement_annual_max:
            out.append(f"年の延長時間が限度時間 {regime.agreement_annual_max // 60} 時間を超えています")
        if self.special_clause:
            if self.special_annual_limit > regime.special_annual_max:
                out.append(f"特別条項の年間上限が {regime.special_annual_max // 60} 時間を超えています")
            if self.special_monthly_limit >= regime.combined_monthly_cap:
                out.append(f"特別条項の月の上限は {regime.combined_monthly_cap // 60} 時間未満です")
            if self.special_months > regime.special_months_max:
                out.append(f"限度時間を超える月数が年 {regime.special_months_max} か月を超えています")
        if not 1 <= self.year_start_month <= 12:
            out.append("起算月は1〜12です")
        return out


@dataclass(frozen=True, slots=True)
class Contract:
    """A worker's contract with one employer or client.

    ``concluded_on`` decides the order of combination (先に契約した使用者の所定労働時間を先に通算);
    ``legal_holiday_weekday`` is this employer's 法定休日 (Sunday unless stated).
    """

    employer_id: str
    employer_name: str
    kind: ContractKind
    concluded_on: dt.date
    agreement: Agreement36 | None = None
    legal_holiday_weekday: int = SUNDAY

    @property
    def combined(self) -> bool:
        """Whether this contract's hours are combined (only employment)."""
        return self.kind is ContractKind.EMPLOYMENT


@dataclass(frozen=True, slots=True)
class WorkRecord:
    """A block of work on one day for one employer.

    ``scheduled`` is True for hours within the contract's 所定労働時間, False for 所定外労働;
    ``start`` orders 所定外 blocks by when they happened.
    """

    employer_id: str
    day: dt.date
    minutes: int
    scheduled: bool = True
    start: dt.time = dt.time(9, 0)

    def __post_init__(self) -> None:
        if not 0 <= self.minutes <= 24 * 60:
            raise ValueError(f"労働時間は0〜24時間です: {self.minutes}分 (minutes must be 0-1440)")
