"""Read-side queries of fieldwork. Callers write the audit record for each read of personal data."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Case, Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from chiiki.core.models import Municipality, User
from chiiki.fieldwork.balancing import DistrictWork
from chiiki.fieldwork.models import (
    FINAL_OUTCOMES,
    DashboardSnapshot,
    FollowUpArea,
    FollowUpAssignment,
    ReminderSchedule,
)
from chiiki.registry.models import Person
from chiiki.surveys.models import Answer, CaseEvent, Survey, SurveyCase, VisitOutcome
from chiiki.surveys.sampling import age_class, age_on

AGE_CLASS_ORDER = ("-39", "40-64", "65-74", "75+", "?")


def submitted_q() -> Q:
    """The cases that count as answered: a submitted Answer, or the case status says so."""
    return Q(status=SurveyCase.Status.SUBMITTED) | Q(answer__submitted_at__isnull=False)


def non_responders(survey: Survey) -> QuerySet[SurveyCase]:
    """The survey's cases without a submitted answer."""
    return survey.cases.exclude(submitted_q())


def enumerators(municipality: Municipality) -> QuerySet[User]:
    """Active staff holding the enumerator role in the municipality."""
    return (
        User.objects.filter(
            is_active=True, memberships__municipality=municipality, memberships__role="enumerator"
        )
        .distinct()
        .order_by("id")
    )


def assignments_of(municipality: Municipality, enumerator: User) -> QuerySet[FollowUpAssignment]:
    """An enumerator's own households still without an answer in running surveys, with names and addresses."""
    members = Person.objects.filter(removed_on__isnull=True).order_by("id")
    return (
        FollowUpAssignment.objects.filter(
            municipality=municipality, area__enumerator=enumerator, area__survey__closes_at__gt=timezone.now()
        )
        .select_related("area__survey", "case__household__district")
        .prefetch_related(Prefetch("case__household__members", queryset=members, to_attr="current_members"))
        .exclude(submitted_q_for_assignment())  # once a household answers, its names leave the list
        .order_by("-area__survey__opens_at", "area__number", "position", "id")
    )


def assignments_after(
    municipality: Municipality, enumerator: User, after: int | None, size: int
) -> tuple[list[FollowUpAssignment], bool]:
    """`size` of the enumerator's households in visiting order, those after assignment `after` (keyset
    pagination: no OFFSET, so the 40th page costs what the first does); and whether more follow."""
    rows = assignments_of(municipality, enumerator)
    anchor = None
    if after is not None:
        anchor = (
            FollowUpAssignment.objects.filter(
                pk=after, municipality=municipality, area__enumerator=enumerator
            )
            .values("area__survey__opens_at", "area__number", "position", "id")
            .first()
        )
    if anchor is not None:
        opens, number, position = anchor["area__survey__opens_at"], anchor["area__number"], anchor["position"]
        same_survey = Q(area__survey__opens_at=opens)
        rows = rows.filter(
            Q(area__survey__opens_at__lt=opens)
            | (same_survey & Q(area__number__gt=number))
            | (same_survey & Q(area__number=number, position__gt=position))
            | (same_survey & Q(area__number=number, position=position, id__gt=anchor["id"]))
        )
    page = list(rows[: size + 1])
    return page[:size], len(page) > size


def submitted_q_for_assignment() -> Q:
    """submitted_q() seen from a FollowUpAssignment row."""
    return Q(case__status=SurveyCase.Status.SUBMITTED) | Q(case__answer__submitted_at__isnull=False)


def open_load(municipality: Municipality, enumerator_ids: list[int], survey: Survey) -> dict[int, int]:
    """Households still to visit that each enumerator already has in other running surveys."""
    rows = (
        FollowUpAssignment.objects.filter(
            municipality=municipality,
            area__enumerator_id__in=enumerator_ids,
            area__survey__closes_at__gt=timezone.now(),
        )
        .exclude(area__survey=survey)
        .exclude(outcome__in=FINAL_OUTCOMES)
        .exclude(submitted_q_for_assignment())
        .values_list("area__enumerator_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {int(enumerator): int(n) for enumerator, n in rows}


def district_work(survey: Survey) -> list[DistrictWork]:
    """The survey's non-responding households by registry district, each district in address order."""
    by_district: dict[int, list[tuple[str, str, int]]] = {}
    for case in non_responders(survey).select_related("household"):
        household = case.household
        by_district.setdefault(household.district_id, []).append(
            (household.address, household.household_code, case.pk)
        )
    return [
        DistrictWork(district_id, tuple(case_id for _a, _c, case_id in sorted(rows)))
        for district_id, rows in sorted(by_district.items())
    ]


def reminder_recipients(survey: Survey, round_number: int) -> QuerySet[SurveyCase]:
    """The cases to remind in a round: not answered, sent a letter, not refused or vacant, not yet reminded."""
    already = CaseEvent.objects.filter(
        survey=survey, kind=CaseEvent.Kind.REMINDER_SENT, detail__round=round_number
    ).values("case_id")
    return (
        non_responders(survey)
        .exclude(status=SurveyCase.Status.SAMPLED)  # no letter yet: nothing to remind of
        .exclude(follow_up__outcome__in=[VisitOutcome.REFUSED, VisitOutcome.VACANT])
        .exclude(pk__in=already)
        .select_related("survey")
        .order_by("id")
    )


def assignment_of(
    municipality: Municipality, enumerator: User, assignment_id: int
) -> FollowUpAssignment | None:
    """One assignment, only when it is this enumerator's own in this municipality and still unanswered."""
    return (
        FollowUpAssignment.objects.filter(
            municipality=municipality,
            area__enumerator=enumerator,
            area__survey__closes_at__gt=timezone.now(),
            pk=assignment_id,
        )
        .exclude(submitted_q_for_assignment())
        .select_related("area__survey", "case__survey", "case__household")
        .first()
    )


def enumerator_case(municipality: Municipality, enumerator: User, case_id: int) -> SurveyCase | None:
    """A case on the enumerator's own follow-up list in this municipality (None for anyone else's)."""
    assignment = (
        FollowUpAssignment.objects.filter(
            municipality=municipality, area__enumerator=enumerator, case_id=case_id
        )
        .select_related("case__survey__questionnaire_version")
        .first()
    )
    return assignment.case if assignment is not None else None


def current_members(case: SurveyCase) -> QuerySet[Person]:
    """The people living in the case's household now, in registry order (for the enumerator's visit)."""
    return case.household.members.filter(removed_on__isnull=True).order_by("id")


def surveys_of(municipality: Municipality) -> QuerySet[Survey]:
    """The municipality's surveys, latest opened first."""
    return Survey.objects.filter(municipality=municipality).order_by("-opens_at")


def survey_of(municipality: Municipality, survey_id: int) -> Survey | None:
    """The municipality's survey with that id (None for another municipality's)."""
    return Survey.objects.filter(municipality=municipality, pk=survey_id).first()


def open_schedules() -> QuerySet[ReminderSchedule]:
    """Reminder schedules of the surveys open for answering now, in survey order."""
    now = timezone.now()
    return (
        ReminderSchedule.objects.filter(survey__opens_at__lte=now, survey__closes_at__gt=now)
        .select_related("survey__municipality")
        .order_by("survey_id")
    )


def reminder_schedule_of(survey: Survey) -> ReminderSchedule | None:
    """The survey's reminder schedule, if one was set."""
    return ReminderSchedule.objects.filter(survey=survey).first()


def areas_of(survey: Survey) -> QuerySet[FollowUpArea]:
    """The survey's enumerator districts with their enumerators and registry districts."""
    return (
        FollowUpArea.objects.filter(survey=survey).select_related("enumerator").prefetch_related("districts")
    )


# --- dashboard -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a dashboard table: a label, the cases, the answered ones and the rate in percent."""

    label: str
    cases: int
    answered: int

    @property
    def rate(self) -> float:
        return round(100.0 * self.answered / self.cases, 1) if self.cases else 0.0


@dataclass(frozen=True, slots=True)
class DayRow:
    day: date
    answered_that_day: int
    answered_so_far: int
    rate: float


@dataclass(frozen=True, slots=True)
class WorkloadRow:
    enumerator: str
    area: int
    assigned: int
    visited: int
    settled: int
    answered: int
    outstanding: int


@dataclass(frozen=True, slots=True)
class PageTime:
    page: str
    views: int
    median_seconds: float


@dataclass(slots=True)
class Dashboard:
    survey: Survey
    today: date
    total: Row
    by_day: list[DayRow] = field(default_factory=list)
    by_district: list[Row] = field(default_factory=list)
    by_mode: list[tuple[str, int, float]] = field(default_factory=list)
    by_age: list[Row] = field(default_factory=list)
    workload: list[WorkloadRow] = field(default_factory=list)
    today_figures: dict[str, int] = field(default_factory=dict)
    devices: list[tuple[str, int]] = field(default_factory=list)
    page_times: list[PageTime] = field(default_factory=list)


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


# The dashboard aggregates in the database: every query below returns at most one row per day, district,
# mode, birth date, enumerator area, device or (page, seconds) pair, whatever the number of households, so a
# city of millions reads as fast as a village (bench/fieldwork_dashboard.py).


def _answered_per_day(survey: Survey) -> Counter[date]:
    """Answered cases counted by the local day of their first submission (first 'submitted' event, else the
    Answer's time), grouped in the database: one row per day comes back."""
    tables = {
        "case": SurveyCase._meta.db_table,
        "event": CaseEvent._meta.db_table,
        "answer": Answer._meta.db_table,
    }
    first = "COALESCE(MIN(e.at), a.submitted_at)"
    if connection.vendor == "postgresql":
        day = f"(({first}) AT TIME ZONE %s)::date"
        zone = [timezone.get_current_timezone_name()]
    else:  # SQLite keeps UTC text; the zone's current offset (Japan has no summer time)
        offset = timezone.localtime().utcoffset() or timedelta(0)
        day = f"date({first}, %s)"
        zone = [f"{int(offset.total_seconds()):+d} seconds"]
    # Table names come from the models and every value is a parameter: nothing typed by anyone reaches the text.
    sql = (
        f"SELECT day, COUNT(*) FROM (SELECT {day} AS day FROM {tables['case']} c "  # noqa: S608
        f"LEFT JOIN {tables['event']} e ON e.case_id = c.id AND e.kind = %s "
        f"LEFT JOIN {tables['answer']} a ON a.case_id = c.id "
        "WHERE c.survey_id = %s AND (c.status = %s OR a.submitted_at IS NOT NULL) "
        "GROUP BY c.id, a.submitted_at) AS firsts WHERE day IS NOT NULL GROUP BY day"
    )
    params: list[str | int] = [*zone, CaseEvent.Kind.SUBMITTED, survey.pk, SurveyCase.Status.SUBMITTED]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return Counter({_as_date(value): n for value, n in rows})


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def dashboard(survey: Survey, *, today: date | None = None) -> Dashboard:
    """Response figures of one survey, aggregated in the database from its cases, answers and paradata."""
    today = today or timezone.localdate()
    totals = survey.cases.aggregate(cases=Count("id", distinct=True), answered=_answered_count())
    cases, answered = totals["cases"], totals["answered"]
    result = Dashboard(survey=survey, today=today, total=Row("合計", cases, answered))
    per_day = _answered_per_day(survey)
    result.by_day = _by_day(survey, per_day, cases, today)
    result.by_district = _by_district(survey)
    result.by_mode = _by_mode(survey, cases)
    result.by_age = _by_age(survey)
    result.workload = _workload(survey)
    result.today_figures = _today_figures(survey, today, answered_today=per_day.get(today, 0))
    result.devices = _devices(survey)
    result.page_times = _page_times(survey)
    return result


def _answered_count(prefix: str = "") -> Count:
    """Count the cases (reached through `prefix`) that count as answered."""
    answered = Q(**{f"{prefix}status": SurveyCase.Status.SUBMITTED}) | Q(
        **{f"{prefix}answer__submitted_at__isnull": False}
    )
    return Count(f"{prefix}id" if prefix else "id", filter=answered, distinct=True)


def _rate(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def _by_day(survey: Survey, per_day: Counter[date], cases: int, today: date) -> list[DayRow]:
    """Cumulative rate for each day from opening to today (or the close, if earlier)."""
    first = _local_day(survey.opens_at)
    last = min(today, _local_day(survey.closes_at))
    so_far = sum(n for day, n in per_day.items() if day < first)
    rows = []
    day = first
    while day <= last:
        so_far += per_day.get(day, 0)
        rows.append(DayRow(day, per_day.get(day, 0), so_far, _rate(so_far, cases)))
        day += timedelta(days=1)
    return rows


def _by_district(survey: Survey) -> list[Row]:
    """Cases and answers per registry district, in the order of the district codes."""
    rows = (
        survey.cases.values("household__district__code", "household__district__name")
        .annotate(cases=Count("id", distinct=True), answered=_answered_count())
        .order_by("household__district__code")
    )
    return [Row(r["household__district__name"] or "", r["cases"], r["answered"]) for r in rows]


def _by_mode(survey: Survey, cases: int) -> list[tuple[str, int, float]]:
    """Answered cases by mode, as a share of all cases ("unknown" only when there are such). The Answer row is
    the authority when it is submitted; else the mode of the case's last 'submitted' event."""
    last_event_mode = (
        CaseEvent.objects.filter(case_id=OuterRef("pk"), kind=CaseEvent.Kind.SUBMITTED)
        .exclude(mode="")
        .order_by("-at", "-id")
        .values("mode")[:1]
    )
    answer_mode = Case(When(answer__submitted_at__isnull=False, then=F("answer__mode")), default=Value(None))
    rows = (
        survey.cases.filter(submitted_q())
        .annotate(how=Coalesce(answer_mode, Subquery(last_event_mode), Value("unknown")))
        .values("how")
        .annotate(n=Count("id", distinct=True))
        .values_list("how", "n")
    )
    modes = Counter(dict(rows))
    order = ["web", "assisted", "enumerator", "unknown"]
    return [
        (mode, modes[mode], _rate(modes[mode], cases)) for mode in order if modes[mode] or mode != "unknown"
    ]


def _by_age(survey: Survey) -> list[Row]:
    """Response by age class of the household head on the reference date (grouped by the head's birth date in
    the database: at most one row per distinct birth date, then classed here)."""
    head_birth = (
        Person.objects.filter(household_id=OuterRef("household_id"), relationship="世帯主")
        .order_by("-id")
        .values("birth_date")[:1]
    )
    rows = (
        survey.cases.annotate(birth=Subquery(head_birth))
        .values("birth")
        .annotate(cases=Count("id", distinct=True), answered=_answered_count())
        .values_list("birth", "cases", "answered")
    )
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for birth, n, done in rows:
        label = age_class(age_on(birth, survey.reference_date) if birth is not None else None)
        totals[label][0] += n
        totals[label][1] += done
    return [Row(label, *totals[label]) for label in AGE_CLASS_ORDER if totals.get(label)]


def _workload(survey: Survey) -> list[WorkloadRow]:
    """Outstanding workload per enumerator area, counted in the database."""
    answered = Q(case__status=SurveyCase.Status.SUBMITTED) | Q(case__answer__submitted_at__isnull=False)
    rows = (
        FollowUpAssignment.objects.filter(area__survey=survey)
        .values("area__number", "area__enumerator__display_name", "area__enumerator__username")
        .annotate(
            assigned=Count("id", distinct=True),
            visited=Count("id", filter=Q(visits__gt=0), distinct=True),
            answered=Count("id", filter=answered, distinct=True),
            settled=Count("id", filter=Q(outcome__in=FINAL_OUTCOMES) & ~answered, distinct=True),
        )
        .order_by("area__number", "area__enumerator__display_name", "area__enumerator__username")
    )
    return [
        WorkloadRow(
            enumerator=r["area__enumerator__display_name"] or r["area__enumerator__username"],
            area=r["area__number"],
            assigned=r["assigned"],
            visited=r["visited"],
            settled=r["settled"],
            answered=r["answered"],
            outstanding=r["assigned"] - r["answered"] - r["settled"],
        )
        for r in rows
    ]


def _today_figures(survey: Survey, today: date, *, answered_today: int) -> dict[str, int]:
    start = timezone.make_aware(datetime.combine(today, datetime.min.time()))
    events = dict(
        CaseEvent.objects.filter(survey=survey, at__gte=start, at__lt=start + timedelta(days=1))
        .values("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
        .order_by()
    )
    return {
        "answered": answered_today,
        "letter_sent": events.get(CaseEvent.Kind.LETTER_SENT, 0),
        "login": events.get(CaseEvent.Kind.LOGIN, 0),
        "reminder_sent": events.get(CaseEvent.Kind.REMINDER_SENT, 0),
        "visit": events.get(CaseEvent.Kind.VISIT, 0),
    }


def _devices(survey: Survey) -> list[tuple[str, int]]:
    """Devices used to log in, most used first."""
    rows = (
        CaseEvent.objects.filter(survey=survey, kind=CaseEvent.Kind.LOGIN)
        .values("device_class")
        .annotate(n=Count("id"))
        .values_list("device_class", "n")
        .order_by()
    )
    return sorted(rows, key=lambda item: (-item[1], item[0]))


def _page_times(survey: Survey) -> list[PageTime]:
    """Median seconds on each page, from a histogram counted in the database (one row per page and second)."""
    histogram: dict[str, list[tuple[int, int]]] = defaultdict(list)
    rows = (
        CaseEvent.objects.filter(survey=survey, kind=CaseEvent.Kind.PAGE_VIEW, seconds__isnull=False)
        .values("page", "seconds")
        .annotate(n=Count("id"))
        .values_list("page", "seconds", "n")
        .order_by("page", "seconds")
    )
    for page, seconds, n in rows:
        if seconds is not None:
            histogram[page].append((seconds, n))
    return [
        PageTime(page, sum(n for _s, n in counts), _median(counts))
        for page, counts in sorted(histogram.items())
    ]


def _median(counts: list[tuple[int, int]]) -> float:
    """The median of values given as (value, how many) pairs in ascending order (as statistics.median)."""
    total = sum(n for _value, n in counts)
    lower, upper = (total - 1) // 2, total // 2
    found: list[int] = []
    seen = 0
    for value, n in counts:
        while len(found) < 2 and seen + n > (lower if not found else upper):
            found.append(value)
        seen += n
    return (found[0] + found[1]) / 2


# --- dashboard snapshots of large surveys -----------------------------------------------------------------------


def dashboard_is_live(survey: Survey) -> bool:
    """Whether the survey is small enough to aggregate on each view (CHIIKI_DASHBOARD_LIVE_CASES)."""
    limit = settings.CHIIKI_DASHBOARD_LIVE_CASES
    return not survey.cases.order_by()[limit : limit + 1].exists()


def dashboard_snapshot(survey: Survey) -> DashboardSnapshot | None:
    """The survey's last stored dashboard aggregation, if any."""
    return DashboardSnapshot.objects.filter(survey=survey).first()


def snapshot_is_stale(snapshot: DashboardSnapshot | None, *, now: datetime | None = None) -> bool:
    """True when there is no aggregation yet or it is older than CHIIKI_DASHBOARD_MAX_AGE_SECONDS."""
    if snapshot is None or snapshot.computed_at is None:
        return True
    age = (now or timezone.now()) - snapshot.computed_at
    return age.total_seconds() > settings.CHIIKI_DASHBOARD_MAX_AGE_SECONDS


def dashboard_to_data(board: Dashboard) -> dict[str, Any]:
    """The dashboard's figures as JSON-ready data (dates as ISO text); the survey is stored by its id."""
    return {
        "survey": board.survey.pk,
        "today": board.today.isoformat(),
        "total": asdict(board.total),
        "by_day": [{**asdict(row), "day": row.day.isoformat()} for row in board.by_day],
        "by_district": [asdict(row) for row in board.by_district],
        "by_mode": [list(item) for item in board.by_mode],
        "by_age": [asdict(row) for row in board.by_age],
        "workload": [asdict(row) for row in board.workload],
        "today_figures": dict(board.today_figures),
        "devices": [list(item) for item in board.devices],
        "page_times": [asdict(row) for row in board.page_times],
    }


def dashboard_from_data(survey: Survey, data: dict[str, Any]) -> Dashboard:
    """The dashboard stored by :func:`dashboard_to_data`, rebuilt for the page."""
    return Dashboard(
        survey=survey,
        today=date.fromisoformat(data["today"]),
        total=Row(**data["total"]),
        by_day=[DayRow(**{**row, "day": date.fromisoformat(row["day"])}) for row in data["by_day"]],
        by_district=[Row(**row) for row in data["by_district"]],
        by_mode=[(mode, n, rate) for mode, n, rate in data["by_mode"]],
        by_age=[Row(**row) for row in data["by_age"]],
        workload=[WorkloadRow(**row) for row in data["workload"]],
        today_figures=dict(data["today_figures"]),
        devices=[(device, n) for device, n in data["devices"]],
        page_times=[PageTime(**row) for row in data["page_times"]],
    )
