"""Read-side queries of fieldwork. Callers write the audit record for each read of personal data."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median

from django.apps import apps
from django.db.models import Min, Prefetch, Q, QuerySet
from django.utils import timezone

from chiiki.core.models import Municipality, User
from chiiki.fieldwork.models import FINAL_OUTCOMES, CaseEvent, FollowUpAssignment
from chiiki.registry.models import Person
from chiiki.surveys.models import Survey, SurveyCase
from chiiki.surveys.sampling import age_class, age_on

AGE_CLASS_ORDER = ("-39", "40-64", "65-74", "75+", "?")


def has_answer_model() -> bool:
    """True once the surveys app has its Answer model (answers with mode and submission time)."""
    try:
        apps.get_model("surveys", "Answer")
    except LookupError:
        return False
    return True


def submitted_q() -> Q:
    """The cases that count as answered: a submitted Answer, or the case status says so."""
    answered = Q(status=SurveyCase.Status.SUBMITTED)
    if has_answer_model():
        answered |= Q(answer__submitted_at__isnull=False)
    return answered


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
    answered = Q(case__status=SurveyCase.Status.SUBMITTED)
    if has_answer_model():
        answered |= Q(case__answer__submitted_at__isnull=False)
    return answered


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
    days: dict[int, date] = {}
    if has_answer_model():
        answer = apps.get_model("surveys", "Answer")
        rows = answer.objects.filter(case__survey=survey, submitted_at__isnull=False).values_list(
            "case_id", "submitted_at"
        )
        days.update((case_id, _local_day(at)) for case_id, at in rows)
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
    if has_answer_model():
        answer = apps.get_model("surveys", "Answer")
        rows = answer.objects.filter(case__survey=survey, submitted_at__isnull=False)
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

    # Over time: cumulative rate for each day from opening to today (or the close, if earlier).
    days = _answer_dates(survey, answered)
    first = _local_day(survey.opens_at)
    last = min(today, _local_day(survey.closes_at))
    per_day = Counter(days.values())
    so_far = sum(n for day, n in per_day.items() if day < first)
    day = first
    while day <= last:
        so_far += per_day.get(day, 0)
        rate = round(100.0 * so_far / len(cases), 1) if cases else 0.0
        result.by_day.append(DayRow(day, per_day.get(day, 0), so_far, rate))
        day += timedelta(days=1)

    # By district.
    district_cases: dict[tuple[str, str], list[int]] = defaultdict(list)
    for case_id, _household, code, name in cases:
        district_cases[(code, name)].append(case_id)
    result.by_district = [
        Row(name, len(ids), sum(1 for i in ids if i in answered))
        for (_code, name), ids in sorted(district_cases.items())
    ]

    # By mode (of the answered cases).
    modes = Counter(_modes(survey, answered).values())
    order = ["web", "assisted", "enumerator", "unknown"]
    result.by_mode = [
        (mode, modes[mode], round(100.0 * modes[mode] / len(cases), 1) if cases else 0.0)
        for mode in order
        if modes[mode] or mode != "unknown"
    ]

    # By age class of the household head on the reference date.
    household_of = {case_id: household for case_id, household, _c, _n in cases}
    heads = dict(
        Person.objects.filter(household__survey_cases__survey=survey, relationship="世帯主")
        .order_by("household_id", "id")
        .values_list("household_id", "birth_date")
    )
    age_cases: dict[str, list[int]] = defaultdict(list)
    for case_id, household in household_of.items():
        birth = heads.get(household)
        label = age_class(age_on(birth, survey.reference_date) if birth is not None else None)
        age_cases[label].append(case_id)
    result.by_age = [
        Row(label, len(age_cases[label]), sum(1 for i in age_cases[label] if i in answered))
        for label in AGE_CLASS_ORDER
        if age_cases.get(label)
    ]

    # Outstanding workload per enumerator (plain rows: a survey can have tens of thousands of assignments).
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
    for (number, name), items in sorted(work.items()):
        done = sum(1 for case_id, _o, _v in items if case_id in answered)
        settled = sum(
            1 for case_id, outcome, _v in items if case_id not in answered and outcome in FINAL_OUTCOMES
        )
        result.workload.append(
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

    # The day's figures.
    today_events = Counter(
        CaseEvent.objects.filter(survey=survey, at__date=today).values_list("kind", flat=True).order_by()
    )
    result.today_figures = {
        "answered": per_day.get(today, 0),
        "letter_sent": today_events.get(CaseEvent.Kind.LETTER_SENT, 0),
        "login": today_events.get(CaseEvent.Kind.LOGIN, 0),
        "reminder_sent": today_events.get(CaseEvent.Kind.REMINDER_SENT, 0),
        "visit": today_events.get(CaseEvent.Kind.VISIT, 0),
    }

    # Paradata: devices used to log in, time per page.
    devices = Counter(
        CaseEvent.objects.filter(survey=survey, kind=CaseEvent.Kind.LOGIN).values_list(
            "device_class", flat=True
        )
    )
    result.devices = sorted(devices.items(), key=lambda item: (-item[1], item[0]))
    seconds: dict[str, list[int]] = defaultdict(list)
    views = CaseEvent.objects.filter(survey=survey, kind=CaseEvent.Kind.PAGE_VIEW, seconds__isnull=False)
    for page, value in views.values_list("page", "seconds"):
        if value is not None:
            seconds[page].append(value)
    result.page_times = [PageTime(page, len(v), float(median(v))) for page, v in sorted(seconds.items())]
    return result
