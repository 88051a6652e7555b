"""Read-side queries of side jobs: a worker's combined hours with every warning, each employer's side of a
管理モデル, the contracts an organization records hours for, a person's export sections and the regional
figures of the staff dashboard.

Callers write the audit record for each read of personal data (an employer opening a worker's hours).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from chiiki.sidejob.hours import (
    DEFAULT_REGIMES,
    HOUR,
    WORKER,
    Agreement36,
    CombinedHours,
    Contract,
    ContractKind,
    LimitWarning,
    ManagementModel,
    ModelCap,
    Severity,
    WorkRecord,
    check_limits,
    combine_hours,
)
from chiiki.sidejob.models import ManagementAgreement, SideJobContract, WorkEntry
from chiiki.talent.matching import PREFECTURES
from chiiki.talent.models import Organization, TalentProfile


@dataclass(frozen=True, slots=True)
class HoursStatus:
    """A worker's contracts, combined hours and every warning (recipient "worker" or a contract id)."""

    contracts: list[SideJobContract]
    combined: CombinedHours
    warnings: list[LimitWarning]

    def for_worker(self) -> list[LimitWarning]:
        """Warnings addressed to the worker."""
        return [w for w in self.warnings if w.recipient == WORKER]

    def for_contract(self, contract: SideJobContract) -> list[LimitWarning]:
        """Warnings addressed to the employer of `contract`."""
        return [w for w in self.warnings if w.recipient == str(contract.pk)]

    def month_rows(self) -> list[dict[str, Any]]:
        """Per month and contract: hours worked, overtime share, holiday work (hours, one decimal)."""
        names = {str(c.pk): c.employer_name for c in self.contracts}
        out: list[dict[str, Any]] = []
        for (employer_id, month), em in sorted(
            self.combined.employer_months.items(), key=lambda kv: kv[0][1]
        ):
            out.append(
                {
                    "month": month,
                    "employer": names.get(employer_id, employer_id),
                    "worked": em.worked / HOUR,
                    "overtime": em.overtime_combined / HOUR,
                    "holiday": em.holiday / HOUR,
                }
            )
        for (employer_id, month), minutes in sorted(
            self.combined.non_employment.items(), key=lambda kv: kv[0][1]
        ):
            out.append(
                {"month": month, "employer": names.get(employer_id, employer_id), "worked": minutes / HOUR,
                 "overtime": None, "holiday": None}
            )  # fmt: skip
        return out


def engine_contract(contract: SideJobContract) -> Contract:
    """One stored contract as the hours engine's record (employer id = contract id)."""
    agreement = None
    if contract.has_agreement:
        agreement = Agreement36(
            monthly_limit=contract.monthly_limit_hours * HOUR,
            annual_limit=contract.annual_limit_hours * HOUR,
            special_clause=contract.special_clause,
            special_monthly_limit=contract.special_monthly_hours * HOUR,
            special_annual_limit=contract.special_annual_hours * HOUR,
            special_months=contract.special_months,
            year_start_month=contract.year_start_month,
        )
    return Contract(
        employer_id=str(contract.pk),
        employer_name=contract.employer_name,
        kind=ContractKind(contract.kind),
        concluded_on=contract.concluded_on,
        agreement=agreement,
        legal_holiday_weekday=contract.legal_holiday_weekday,
    )


def hours_status(worker: TalentProfile) -> HoursStatus:
    """Combine the worker's hours across employers and check every limit (MHLW side-job guideline)."""
    contracts = list(SideJobContract.objects.filter(worker=worker).select_related("organization"))
    records = [
        WorkRecord(str(e.contract_id), e.day, e.minutes, e.scheduled, e.start)
        for e in WorkEntry.objects.filter(contract__worker=worker)
    ]
    engine_contracts = [engine_contract(c) for c in contracts]
    # The 8 h / 40 h combination is the same in every regime so far; the limits are checked per month.
    combined = combine_hours(engine_contracts, records, DEFAULT_REGIMES.for_date(timezone.localdate()))
    return HoursStatus(contracts, combined, check_limits(engine_contracts, combined, DEFAULT_REGIMES))


# --- 管理モデル (caps agreed in advance) ----------------------------------------------------------------

MODEL_MONTHS_SHOWN = 12  # months listed on a page; bounds the work of one page view


def engine_model(agreement: ManagementAgreement) -> ManagementModel:
    """The agreement as the hours engine's 管理モデル (caps in minutes, employer id = contract id)."""
    return ManagementModel(
        (
            ModelCap(engine_contract(agreement.first_contract), agreement.first_cap_hours * HOUR),
            ModelCap(engine_contract(agreement.second_contract), agreement.second_cap_hours * HOUR),
        )
    )


def _months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months[-MODEL_MONTHS_SHOWN:]


def own_model_minutes(agreement: ManagementAgreement, side: str) -> dict[dt.date, int]:
    """Per month since the agreement started, the figure the employer on `side` checks against its own cap,
    from its own records only: 使用者A its 法定外 (its own overtime + legal-holiday work), 使用者B all its hours."""
    contract = agreement.first_contract if side == "first" else agreement.second_contract
    # Weeks that begin in the previous month count towards the 40 h of the first month's days.
    since = agreement.starts_on.replace(day=1) - dt.timedelta(days=6)
    entries = list(WorkEntry.objects.filter(contract=contract, day__gte=since))
    if side == "second":
        out: dict[dt.date, int] = defaultdict(int)
        for e in entries:
            if e.day >= agreement.starts_on.replace(day=1):
                out[e.day.replace(day=1)] += e.minutes
        return dict(out)
    records = [WorkRecord(str(contract.pk), e.day, e.minutes, e.scheduled, e.start) for e in entries]
    combined = combine_hours(
        [engine_contract(contract)], records, DEFAULT_REGIMES.for_date(agreement.starts_on)
    )
    return {
        month: em.overtime_own + em.holiday
        for (_, month), em in combined.employer_months.items()
        if month >= agreement.starts_on.replace(day=1)
    }


@dataclass(frozen=True, slots=True)
class ModelMonth:
    """One month of one employer's side of a 管理モデル: its own figure against its own cap."""

    month: dt.date
    actual_hours: float
    cap_hours: int
    severity: Severity | None


@dataclass(frozen=True, slots=True)
class ModelSide:
    """One employer's side of an agreement, with its months and the warnings addressed to it and the worker."""

    agreement: ManagementAgreement
    side: str
    contract: SideJobContract
    cap_hours: int
    months: list[ModelMonth]
    warnings: list[LimitWarning]

    @property
    def is_first(self) -> bool:
        """True for 使用者A (whose cap is on its 法定外労働)."""
        return self.side == "first"


def model_side(agreement: ManagementAgreement, side: str, *, until: dt.date | None = None) -> ModelSide:
    """The months from the agreement's start to `until` (default: the latest record or today) for one side."""
    contract = agreement.first_contract if side == "first" else agreement.second_contract
    cap = agreement.first_cap_hours if side == "first" else agreement.second_cap_hours
    minutes = own_model_minutes(agreement, side)
    last = until or max([timezone.localdate(), *minutes])
    model = engine_model(agreement)
    months, warnings = [], []
    for month in _months_between(agreement.starts_on, last):
        found = model.check_month(str(contract.pk), month, minutes.get(month, 0))
        warnings.extend(found)
        severity = found[0].severity if found else None
        months.append(ModelMonth(month, minutes.get(month, 0) / HOUR, cap, severity))
    return ModelSide(agreement, side, contract, cap, months, warnings)


def agreements_of(worker: TalentProfile) -> list[ManagementAgreement]:
    """The worker's agreements, newest first, with their contracts."""
    return list(
        ManagementAgreement.objects.filter(worker=worker).select_related(
            "first_contract__organization", "second_contract__organization"
        )
    )


def agreement_for_contract(contract: SideJobContract) -> ManagementAgreement | None:
    """The agreement (in force or awaiting confirmation) that includes `contract`, if any."""
    return (
        ManagementAgreement.objects.filter(ended_on__isnull=True)
        .filter(Q(first_contract=contract) | Q(second_contract=contract))
        .select_related("first_contract__organization", "second_contract__organization", "worker")
        .first()
    )


def contracts_of_organization(organization: Organization) -> list[tuple[SideJobContract, bool]]:
    """The organization's contracts, each with whether a 管理モデル including it is in force."""
    contracts = list(SideJobContract.objects.filter(organization=organization).select_related("worker"))
    ids = [c.pk for c in contracts]
    in_model = {
        pk
        for a in ManagementAgreement.objects.filter(ended_on__isnull=True).filter(
            Q(first_contract_id__in=ids) | Q(second_contract_id__in=ids)
        )
        if a.in_force
        for pk in (a.first_contract_id, a.second_contract_id)
    }
    return [(c, c.pk in in_model) for c in contracts]


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime | dt.time) else value


def export_sections(worker: TalentProfile) -> dict[str, Any]:
    """The worker's contracts with every recorded block of work, and their 管理モデル (for the person's export)."""
    return {
        "contracts": [
            {
                "employer": c.employer_name,
                "kind": c.kind,
                "concluded_on": _iso(c.concluded_on),
                "entries": [
                    {
                        "day": _iso(w.day),
                        "minutes": w.minutes,
                        "scheduled": w.scheduled,
                        "start": _iso(w.start),
                    }
                    for w in c.entries.all()
                ],
            }
            for c in SideJobContract.objects.filter(worker=worker).prefetch_related("entries")
        ],
        "management_models": [
            {
                "first_employer": m.first_contract.employer_name,
                "second_employer": m.second_contract.employer_name,
                "first_cap_hours": m.first_cap_hours,
                "second_cap_hours": m.second_cap_hours,
                "starts_on": _iso(m.starts_on),
                "ended_on": _iso(m.ended_on),
            }
            for m in ManagementAgreement.objects.filter(worker=worker).select_related(
                "first_contract", "second_contract"
            )
        ],
    }


# --- regional figures for the staff dashboard ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegionalHours:
    """Side-job hours recorded by employers of one region's prefectures (aggregates only)."""

    by_prefecture: list[tuple[int, str, int]]  # JIS code, name, whole hours in the window
    by_month: list[tuple[dt.date, int]]  # first day of the month, whole hours
    workers_warned: int  # workers near or past a limit this month

    @property
    def max_month_hours(self) -> int:
        """The largest monthly figure (at least 1), for drawing the bars to scale."""
        return max([1, *(hours for _month, hours in self.by_month)])


def regional_hours(prefectures: list[int], *, as_of: dt.date) -> RegionalHours:
    """Hours recorded by employers located in `prefectures` in about the last six months (since the first
    of the month 150 days before `as_of`), per prefecture and per month, and the workers warned this month."""
    since = (as_of.replace(day=1) - dt.timedelta(days=150)).replace(day=1)
    entries = WorkEntry.objects.filter(contract__organization__prefecture__in=prefectures, day__gte=since)
    per_prefecture: dict[int, int] = defaultdict(int)
    for row in entries.values("contract__organization__prefecture").annotate(m=Sum("minutes")):
        per_prefecture[row["contract__organization__prefecture"]] = row["m"] // HOUR
    by_month = [
        (row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"], row["m"] // HOUR)
        for row in entries.annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(m=Sum("minutes"))
        .order_by("month")
    ]
    return RegionalHours(
        by_prefecture=[(code, PREFECTURES[code - 1], per_prefecture[code]) for code in prefectures],
        by_month=by_month,
        workers_warned=_workers_warned(prefectures, as_of.replace(day=1)),
    )


def _workers_warned(prefectures: list[int], month: dt.date) -> int:
    workers = TalentProfile.objects.filter(contracts__organization__prefecture__in=prefectures).distinct()
    return sum(
        1
        for worker in workers
        if any(w.recipient == WORKER and w.month == month for w in hours_status(worker).warnings)
    )


def recent_entries(contract: SideJobContract, *, limit: int = 60) -> list[WorkEntry]:
    """The latest blocks of work recorded under a contract, newest first."""
    return list(contract.entries.order_by("-day", "-start")[:limit])
