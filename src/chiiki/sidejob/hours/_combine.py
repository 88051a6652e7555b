"""Combining hours across employers (労働基準法38条1項) as the MHLW side-job guideline describes.

For each calendar week (Sunday to Saturday) and day:

1. 所定労働時間の通算: scheduled hours are added in the order the contracts were concluded (the earlier
   contract's scheduled hours first); the part that takes the total past 8 h a day or 40 h a week is
   legal overtime (法定時間外労働) of the employer whose hours pushed it over.
2. 所定外労働時間の通算: then unscheduled hours are added in the order they occurred; again the part past
   the legal limit is overtime of the employer for whom it was worked.
3. Work on an employer's own 法定休日 is that employer's holiday work (休日労働) and is left out of the
   8 h / 40 h combination.

Weekly overtime excludes minutes already counted as daily overtime. Contracts that are not employment
(委任・請負・フリーランス) are recorded but not combined.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from chiiki.sidejob.hours._records import Contract, WorkRecord
from chiiki.sidejob.hours._regime import Regime


class HoursInputError(ValueError):
    """Records that cannot be combined; the message is Japanese first, English second."""


def month_of(day: dt.date) -> dt.date:
    """First day of the month containing ``day``."""
    return day.replace(day=1)


def week_of(day: dt.date) -> dt.date:
    """The Sunday starting the week containing ``day`` (労基法's default week: Sunday to Saturday)."""
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


@dataclass(slots=True)
class EmployerMonth:
    """One employer's minutes in one month."""

    employer_id: str
    month: dt.date
    worked: int = 0
    overtime_combined: int = 0  # 法定時間外 as this employer's share of the combined hours
    overtime_own: int = 0  # 法定時間外 counting this employer's hours alone
    holiday: int = 0  # 法定休日労働

    def overtime(self, regime: Regime) -> int:
        """The overtime this employer answers for under ``regime`` (premium pay and its 36協定)."""
        return self.overtime_combined if regime.combine_overtime_per_employer else self.overtime_own


@dataclass(slots=True)
class _Block:
    record: WorkRecord
    rank: int
    within_day: int = 0
    overtime: int = 0


@dataclass(slots=True)
class CombinedHours:
    """The result of combining: per employer and month, plus uncombined (non-employment) work."""

    employer_months: dict[tuple[str, dt.date], EmployerMonth]
    non_employment: dict[tuple[str, dt.date], int] = field(default_factory=dict)

    def months(self) -> list[dt.date]:
        """Every month with any record, in order."""
        return sorted({m for _, m in self.employer_months} | {m for _, m in self.non_employment})

    def for_month(self, month: dt.date) -> list[EmployerMonth]:
        """Employer totals of one month."""
        return [em for (_, m), em in sorted(self.employer_months.items()) if m == month]

    def worker_overtime_and_holiday(self, month: dt.date) -> int:
        """The worker's combined 時間外 + 休日労働 in a month (the quantity the 100 h / 80 h caps limit)."""
        return sum(em.overtime_combined + em.holiday for em in self.for_month(month))


def _split(blocks: Sequence[_Block], limit: int, take: str) -> None:
    """Add blocks in the given order; the part of each block past ``limit`` becomes overtime."""
    running = 0
    for block in blocks:
        amount = block.record.minutes if take == "day" else block.within_day
        within = max(0, min(amount, limit - running))
        running += amount
        if take == "day":
            block.within_day = within
        block.overtime += amount - within


def _assign(blocks: list[_Block], regime: Regime) -> None:
    """Daily then weekly overtime for one week's (non-holiday) blocks, in the guideline's order."""
    by_day: dict[dt.date, list[_Block]] = defaultdict(list)
    for b in blocks:
        by_day[b.record.day].append(b)
    for day_blocks in by_day.values():
        scheduled = sorted(
            (b for b in day_blocks if b.record.scheduled), key=lambda b: (b.rank, b.record.start)
        )
        extra = sorted(
            (b for b in day_blocks if not b.record.scheduled), key=lambda b: (b.record.start, b.rank)
        )
        _split([*scheduled, *extra], regime.legal_daily_minutes, "day")
    scheduled = sorted(
        (b for b in blocks if b.record.scheduled), key=lambda b: (b.rank, b.record.day, b.record.start)
    )
    extra = sorted(
        (b for b in blocks if not b.record.scheduled), key=lambda b: (b.record.day, b.record.start, b.rank)
    )
    _split([*scheduled, *extra], regime.legal_weekly_minutes, "week")


def combine_hours(
    contracts: Iterable[Contract], records: Iterable[WorkRecord], regime: Regime
) -> CombinedHours:
    """Combine a worker's records across employers under ``regime``."""
    by_id = _contracts_by_id(contracts)
    order = sorted((c for c in by_id.values() if c.combined), key=lambda c: (c.concluded_on, c.employer_id))
    rank = {c.employer_id: i for i, c in enumerate(order)}
    ledger = _Ledger()
    weeks: dict[dt.date, list[_Block]] = defaultdict(list)
    for r in records:
        contract = _contract_of(r, by_id)
        if not contract.combined:
            ledger.non_employment[(r.employer_id, month_of(r.day))] += r.minutes
            continue
        target = ledger.cell(r.employer_id, r.day)
        target.worked += r.minutes
        if r.day.weekday() == contract.legal_holiday_weekday:
            target.holiday += r.minutes
        else:
            weeks[week_of(r.day)].append(_Block(r, rank[r.employer_id]))
    for week_blocks in weeks.values():
        _combine_week(week_blocks, regime, ledger)
    return CombinedHours(ledger.months, dict(ledger.non_employment))


@dataclass(slots=True)
class _Ledger:
    """The per employer and month totals being filled in."""

    months: dict[tuple[str, dt.date], EmployerMonth] = field(default_factory=dict)
    non_employment: dict[tuple[str, dt.date], int] = field(default_factory=lambda: defaultdict(int))

    def cell(self, employer_id: str, day: dt.date) -> EmployerMonth:
        key = (employer_id, month_of(day))
        if key not in self.months:
            self.months[key] = EmployerMonth(employer_id, key[1])
        return self.months[key]


def _contracts_by_id(contracts: Iterable[Contract]) -> dict[str, Contract]:
    by_id: dict[str, Contract] = {}
    for c in contracts:
        if c.employer_id in by_id:
            raise HoursInputError(f"契約が重複しています: {c.employer_id} (duplicate contract)")
        by_id[c.employer_id] = c
    return by_id


def _contract_of(record: WorkRecord, by_id: dict[str, Contract]) -> Contract:
    """The record's contract, refusing a record without one or dated before it was concluded."""
    contract = by_id.get(record.employer_id)
    if contract is None:
        raise HoursInputError(
            f"契約のない記録です: {record.employer_id} {record.day} (record without a contract)"
        )
    if record.day < contract.concluded_on:
        raise HoursInputError(
            f"契約前の記録です: {record.employer_id} {record.day} (record before the contract)"
        )
    return contract


def _combine_week(week_blocks: list[_Block], regime: Regime, ledger: _Ledger) -> None:
    """One week's overtime, combined across employers and for each employer alone."""
    _assign(week_blocks, regime)
    for b in week_blocks:
        ledger.cell(b.record.employer_id, b.record.day).overtime_combined += b.overtime
    for employer_id in {b.record.employer_id for b in week_blocks}:
        alone = [_Block(b.record, 0) for b in week_blocks if b.record.employer_id == employer_id]
        _assign(alone, regime)
        for b in alone:
            ledger.cell(employer_id, b.record.day).overtime_own += b.overtime
