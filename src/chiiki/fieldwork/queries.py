"""Read-side queries of fieldwork. Callers write the audit record for each read of personal data."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median

from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from chiiki.core.models import Municipality, User
from chiiki.fieldwork.balancing import DistrictWork
from chiiki.fieldwork.models import FINAL_OUTCOMES, FollowUpArea, FollowUpAssignment, ReminderSchedule
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


def _answer_dates(survey: Survey, answered: set[int]) -> dict[int, date]:
    """The day each answered case first submitted: its first 'submitted' event, else the Answer's time."""
    rows = Answer.objects.filter(case__survey=survey, submitted_at__isnull=False).values_list(
        "case_id", "submitted_at"
    )
    days = {case_id: _local_day(at) for case_id, at in rows if at is not None}
    first_events = (
        CaseEvent.objects.filter(survey=survey, kind=CaseEvent.Kind.SUBMITTED)
        .values("case_id")
        .annotate(first=Min("at"))
        .values_list("case_id", "first")
    )
    days.update((case_id, _local_day(at)) for case_id, at in first_events)
    return {case_id: day for case_id, day in days.items() if case_id in answered}


def _modes(survey: Survey, answered: set[int]) -> dict[int, str]:
    modes: dict[int, str] = {}
    events = CaseEvent.objects.filter(survey=survey, kind=CaseEvent.Kind.SUBMITTED).exclude(mode="")
    modes.update(events.order_by("at", "id").values_list("case_id", "mode"))
    rows = Answer.objects.filter(case__survey=survey, submitted_at__isnull=False)
    modes.update(rows.values_list("case_id", "mode"))  # the Answer row is the authority when it exists
    return {case_id: modes.get(case_id, "unknown") for case_id in answered}


def dashboard(survey: Survey, *, today: date | None = None) -> Dashboard:
    """Response figures of one survey, computed from its cases, answers and paradata (aggregates only)."""
    today = today or timezone.localdate()
    cases = list(
        survey.cases.values_list(
            "id", "household_id", "household__district__code", "household__district__name"
        )
    )
    answered = set(survey.cases.filter(submitted_q()).values_list("id", flat=True))
    result = Dashboard(survey=survey, today=today, total=Row("合計", len(cases), len(answered)))
    per_day = Counter(_answer_dates(survey, answered).values())
    result.by_day = _by_day(survey, per_day, len(cases), today)
    result.by_district = _by_district(cases, answered)
    result.by_mode = _by_mode(survey, answered, len(cases))
    result.by_age = _by_age(survey, cases, answered)
    result.workload = _workload(survey, answered)
    result.today_figures = _today_figures(survey, today, answered_today=per_day.get(today, 0))
    result.devices = _devices(survey)
    result.page_times = _page_times(survey)
    return result


CaseRow = tuple[int, int, str, str]  # case id, household id, district code, district name


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


def _by_district(cases: list[CaseRow], answered: set[int]) -> list[Row]:
    district_cases: dict[tuple[str, str], list[int]] = defaultdict(list)
    for case_id, _household, code, name in cases:
        district_cases[(code, name)].append(case_id)
    return [
        Row(name, len(ids), sum(1 for i in ids if i in answered))
        for (_code, name), ids in sorted(district_cases.items())
    ]


def _by_mode(survey: Survey, answered: set[int], cases: int) -> list[tuple[str, int, float]]:
    """Answered cases by mode, as a share of all cases ("unknown" only when there are such)."""
    modes = Counter(_modes(survey, answered).values())
    order = ["web", "assisted", "enumerator", "unknown"]
    return [
        (mode, modes[mode], _rate(modes[mode], cases)) for mode in order if modes[mode] or mode != "unknown"
    ]


def _by_age(survey: Survey, cases: list[CaseRow], answered: set[int]) -> list[Row]:
    """Response by age class of the household head on the reference date."""
    heads = dict(
        Person.objects.filter(household__survey_cases__survey=survey, relationship="世帯主")
        .order_by("household_id", "id")
        .values_list("household_id", "birth_date")
    )
    age_cases: dict[str, list[int]] = defaultdict(list)
    for case_id, household, _code, _name in cases:
        birth = heads.get(household)
        age_cases[age_class(age_on(birth, survey.reference_date) if birth is not None else None)].append(
            case_id
        )
    return [
        Row(label, len(age_cases[label]), sum(1 for i in age_cases[label] if i in answered))
        for label in AGE_CLASS_ORDER
        if age_cases.get(label)
    ]


def _workload(survey: Survey, answered: set[int]) -> list[WorkloadRow]:
    """Outstanding workload per enumerator (plain rows: a survey can have tens of thousands of assignments)."""
    rows = FollowUpAssignment.objects.filter(area__survey=survey).values_list(
        "area__number",
        "area__enumerator__display_name",
        "area__enumerator__username",
        "case_id",
        "outcome",
        "visits",
    )
    work: dict[tuple[int, str], list[tuple[int, str, int]]] = defaultdict(list)
    for number, display_name, username, case_id, outcome, visits in rows:
        work[(number, display_name or username)].append((case_id, outcome, visits))
    result = []
    for (number, name), items in sorted(work.items()):
        done = sum(1 for case_id, _o, _v in items if case_id in answered)
        settled = sum(
            1 for case_id, outcome, _v in items if case_id not in answered and outcome in FINAL_OUTCOMES
        )
        result.append(
            WorkloadRow(
                enumerator=name,
                area=number,
                assigned=len(items),
                visited=sum(1 for _c, _o, visits in items if visits),
                settled=settled,
                answered=done,
                outstanding=len(items) - done - settled,
            )
        )
    return result


def _today_figures(survey: Survey, today: date, *, answered_today: int) -> dict[str, int]:
    events = Counter(
        CaseEvent.objects.filter(survey=survey, at__date=today).values_list("kind", flat=True).order_by()
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
    devices = Counter(
        CaseEvent.objects.filter(survey=survey, kind=CaseEvent.Kind.LOGIN).values_list(
            "device_class", flat=True
        )
    )
    return sorted(devices.items(), key=lambda item: (-item[1], item[0]))


def _page_times(survey: Survey) -> list[PageTime]:
    """Median seconds on each page (from the page views that have a time)."""
    seconds: dict[str, list[int]] = defaultdict(list)
    views = CaseEvent.objects.filter(survey=survey, kind=CaseEvent.Kind.PAGE_VIEW, seconds__isnull=False)
    for page, value in views.values_list("page", "seconds"):
        if value is not None:
            seconds[page].append(value)
    return [PageTime(page, len(v), float(median(v))) for page, v in sorted(seconds.items())]
