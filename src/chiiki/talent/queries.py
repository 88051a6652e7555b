"""Read-side queries of the talent bank: search, the regional dashboard, and side-job hours with warnings.

Callers write the audit record for each read of personal data (a profile opened by an organization).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from chiiki.talent.hours import (
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
from chiiki.talent.matching import PREFECTURES, REGION_NAMES, REGION_OF_PREFECTURE
from chiiki.talent.models import (
    Introduction,
    ManagementAgreement,
    Need,
    SideJobContract,
    TalentProfile,
    WorkEntry,
)

KIND_FIELDS = {
    "digital": "is_digital_talent",
    "mentor": "is_mentor",
    "management": "is_management",
    "side_job": "is_side_job",
}


def prefectures_of_region(region: int) -> list[int]:
    """JIS codes of the prefectures in one of the eight regions (0 北海道 … 5 中国 … 7 九州・沖縄)."""
    return [code for code in range(1, 48) if REGION_OF_PREFECTURE[code] == region]


def search_profiles(
    profiles: QuerySet[TalentProfile],
    *,
    kind: str = "",
    prefecture: int | None = None,
    role: str = "",
    skill: str = "",
    min_level: int = 1,
    remote: bool = False,
    max_fee: int | None = None,
    text: str = "",
) -> QuerySet[TalentProfile]:
    """Filter `profiles` (already limited to what the viewer may list)."""
    result = profiles
    if kind in KIND_FIELDS:
        result = result.filter(**{KIND_FIELDS[kind]: True})
    if prefecture:
        result = result.filter(home_prefecture=prefecture)
    if role:
        result = result.filter(primary_role=role)
    if skill:
        result = result.filter(skills__skill_id=skill, skills__declared__gte=min_level)
    if remote:
        result = result.filter(remote_ok=True)
    if max_fee is not None:
        result = result.filter(fee_min_per_hour__lte=max_fee)
    if text:
        result = result.filter(Q(display_name__icontains=text) | Q(headline__icontains=text))
    return result.distinct().order_by("id")


def search_needs(
    *,
    kind: int | None = None,
    prefecture: int | None = None,
    role: str = "",
    remote: bool = False,
    text: str = "",
    include_closed: bool = False,
) -> QuerySet[Need]:
    """Needs are public: anyone may browse open needs with filters."""
    result = Need.objects.select_related("organization")
    if not include_closed:
        result = result.filter(status=Need.Status.OPEN)
    if kind is not None:
        result = result.filter(kind=kind)
    if prefecture:
        result = result.filter(prefecture=prefecture)
    if role:
        result = result.filter(role_id=role)
    if remote:
        result = result.filter(work_mode=Need.WorkMode.REMOTE)
    if text:
        result = result.filter(Q(title__icontains=text) | Q(description__icontains=text))
    return result


# --- regional dashboard ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DashboardRow:
    """One prefecture's figures."""

    prefecture: int
    name: str
    supply: dict[str, int]
    demand: dict[int, int]
    matches: int
    side_job_hours: int

    @property
    def supply_total(self) -> int:
        return self.supply.get("total", 0)

    @property
    def demand_total(self) -> int:
        return sum(self.demand.values())


@dataclass(slots=True)
class Dashboard:
    """Supply and demand by role and prefecture in one region, matches made and side-job hours (aggregates)."""

    region: int
    region_name: str
    rows: list[DashboardRow]
    supply_by_role: list[tuple[str, int, int]]  # role id, profiles with it as main role, open needs for it
    hours_by_month: list[tuple[dt.date, int]]
    workers_warned: int
    max_value: int = field(default=1)


def dashboard(region: int, *, as_of: dt.date) -> Dashboard:
    """Figures for the prefectures of `region` (no personal data: counts and sums only)."""
    codes = prefectures_of_region(region)
    supply: dict[int, dict[str, int]] = defaultdict(dict)
    kind_counts = TalentProfile.objects.filter(home_prefecture__in=codes, user__is_active=True).values(
        "home_prefecture"
    )
    aggregates = {name: Count("id", filter=Q(**{f: True})) for name, f in KIND_FIELDS.items()}
    for row in kind_counts.annotate(total=Count("id"), **aggregates):
        supply[row["home_prefecture"]] = {k: row[k] for k in ("total", *KIND_FIELDS)}
    demand: dict[int, dict[int, int]] = defaultdict(dict)
    for row in (
        Need.objects.filter(prefecture__in=codes, status=Need.Status.OPEN)
        .values("prefecture", "kind")
        .annotate(n=Count("id"))
    ):
        demand[row["prefecture"]][row["kind"]] = row["n"]
    matches: dict[int, int] = defaultdict(int)
    for intro in Introduction.objects.filter(
        organization__prefecture__in=codes,
        declined_at__isnull=True,
        organization_accepted_at__isnull=False,
        talent_accepted_at__isnull=False,
    ).values("organization__prefecture"):
        matches[intro["organization__prefecture"]] += 1
    since = (as_of.replace(day=1) - dt.timedelta(days=150)).replace(day=1)
    hours: dict[int, int] = defaultdict(int)
    region_entries = WorkEntry.objects.filter(contract__organization__prefecture__in=codes, day__gte=since)
    for row in region_entries.values("contract__organization__prefecture").annotate(m=Sum("minutes")):
        hours[row["contract__organization__prefecture"]] = row["m"] // HOUR
    by_month = [
        (row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"], row["m"] // HOUR)
        for row in region_entries.annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(m=Sum("minutes"))
        .order_by("month")
    ]
    rows = [
        DashboardRow(code, PREFECTURES[code - 1], supply[code], demand[code], matches[code], hours[code])
        for code in codes
    ]
    roles: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in (
        TalentProfile.objects.filter(home_prefecture__in=codes)
        .exclude(primary_role="")
        .values("primary_role")
        .annotate(n=Count("id"))
    ):
        roles[row["primary_role"]][0] = row["n"]
    for row in (
        Need.objects.filter(prefecture__in=codes, status=Need.Status.OPEN)
        .exclude(role_id="")
        .values("role_id")
        .annotate(n=Count("id"))
    ):
        roles[row["role_id"]][1] = row["n"]
    workers = TalentProfile.objects.filter(contracts__organization__prefecture__in=codes).distinct()
    warned = sum(
        1
        for worker in workers
        if any(
            w.recipient == WORKER and w.month == as_of.replace(day=1) for w in hours_status(worker).warnings
        )
    )
    result = Dashboard(
        region=region,
        region_name=REGION_NAMES[region],
        rows=rows,
        supply_by_role=sorted(((r, s, d) for r, (s, d) in roles.items()), key=lambda t: (-t[1] - t[2], t[0])),
        hours_by_month=by_month,
        workers_warned=warned,
    )
    result.max_value = max([1, *(r.supply_total for r in rows), *(r.demand_total for r in rows)])
    return result


# --- side-job hours ----------------------------------------------------------------------------------


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
    contracts = list(worker.contracts.select_related("organization"))
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
