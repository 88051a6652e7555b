"""Read a survey into frames for the analysis: cases with registry variables, answers and paradata; the registry.

Nothing here writes; the caller audits. The frames hold no names or addresses: only ids, registry classes,
answer variables and paradata, so a run's result can be stored and shown as aggregates.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import polars as pl
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chiiki.core.models import Municipality
from chiiki.evidence.models import EvidenceRun, PublishedTable, SurveyCosts
from chiiki.fieldwork.models import FollowUpAssignment, ReminderSchedule
from chiiki.registry.models import District, Household, Person
from chiiki.surveys.models import Answer, CaseEvent, Survey

AGE_GROUPS = ("0-14", "15-39", "40-64", "65-74", "75+")
WORK_AGE_GROUPS = AGE_GROUPS[1:]
HEAD_AGE_CLASSES = ("-39", "40-64", "65-74", "75+")
SEXES = {"1": "男", "2": "女"}
YES, NO = "あり", "なし"

# Unit costs in yen; settings.CHIIKI_SURVEY_COSTS overrides them, a survey's SurveyCosts row overrides both.
DEFAULT_COSTS: dict[str, float] = {
    "letter": 140.0,  # printing and postage of the request letter
    "reminder": 90.0,  # a reminder postcard or message
    "visit": 1800.0,  # one enumerator visit (time, travel)
    "web": 50.0,  # processing an online answer
    "assisted": 900.0,  # a help-desk call answered with the household
    "enumerator": 600.0,  # processing an answer taken by an enumerator
}
COST_LABELS: dict[str, Any] = {
    "letter": _("依頼状 1 通"),
    "reminder": _("督促 1 通"),
    "visit": _("調査員の訪問 1 回"),
    "web": _("インターネット回答 1 件の処理"),
    "assisted": _("支援付き回答 1 件"),
    "enumerator": _("調査員による回答 1 件の処理"),
}


def age_group(age: int) -> str:
    """Age group of the calibration and tables: 0-14, 15-39, 40-64, 65-74, 75+."""
    for label, upper in (("0-14", 14), ("15-39", 39), ("40-64", 64), ("65-74", 74)):
        if age <= upper:
            return label
    return "75+"


def head_age_class(age: int) -> str:
    """Age class of the head: -39, 40-64, 65-74, 75+ (as the fieldwork dashboard and sampling use)."""
    return "-39" if age <= 39 else "40-64" if age <= 64 else "65-74" if age <= 74 else "75+"


def size_class(size: int) -> str:
    """Household size class 1, 2, 3, 4, 5+."""
    return "5+" if size >= 5 else str(size)


def person_column(group: str, sex: str) -> str:
    """Column of the number of members of an age group and sex (registry codes 1/2)."""
    return f"p_{group}_{sex}"


def costs_for(survey: Survey) -> dict[str, float]:
    """The unit costs used for a survey: defaults, then settings, then the survey's own."""
    costs = dict(DEFAULT_COSTS)
    costs.update({k: float(v) for k, v in (getattr(settings, "CHIIKI_SURVEY_COSTS", None) or {}).items()})
    own = SurveyCosts.objects.filter(survey=survey).values_list("costs", flat=True).first()
    costs.update({k: float(v) for k, v in (own or {}).items() if k in DEFAULT_COSTS})
    return costs


def run_options(survey: Survey, *, threshold: int | None = None) -> dict[str, Any]:
    """The options a run uses: unit costs, disclosure threshold, enumerator cuts simulated."""
    return {
        "costs": costs_for(survey),
        "threshold": threshold or int(getattr(settings, "CHIIKI_DISCLOSURE_MIN_HOUSEHOLDS", 3)),
        "enumerator_cuts": [25, 50],
    }


def find_survey(municipality: Municipality | None, survey_id: int) -> Survey | None:
    """One survey (of `municipality` when given: pages never reach another municipality's survey)."""
    found = Survey.objects.select_related("municipality").filter(pk=survey_id)
    if municipality is not None:
        found = found.filter(municipality=municipality)
    return found.first()


def surveys_with_latest_run(municipality: Municipality) -> list[tuple[Survey, EvidenceRun | None]]:
    """The municipality's surveys, newest reference date first, each with its latest evidence run."""
    surveys = list(Survey.objects.filter(municipality=municipality).order_by("-reference_date", "id"))
    latest: dict[int, EvidenceRun] = {}
    for run in EvidenceRun.objects.filter(survey__in=surveys).order_by("survey_id", "-queued_at", "-id"):
        latest.setdefault(run.survey_id, run)
    return [(survey, latest.get(survey.pk)) for survey in surveys]


def district_codes(municipality: Municipality) -> dict[str, str]:
    """District name → district code, to list districts in code order (not by the names' code points)."""
    return dict(District.objects.filter(municipality=municipality).values_list("name", "code"))


def latest_run(survey: Survey) -> EvidenceRun | None:
    """The survey's most recent finished run."""
    return (
        EvidenceRun.objects.filter(survey=survey, status=EvidenceRun.Status.DONE)
        .order_by("-finished_at", "-id")
        .first()
    )


def recent_runs(survey: Survey, *, limit: int = 5) -> list[EvidenceRun]:
    """The survey's latest runs, whatever their state, newest first."""
    return list(EvidenceRun.objects.filter(survey=survey).order_by("-queued_at", "-id")[:limit])


def run_pending(survey: Survey) -> bool:
    """True while a run of the survey is queued or being computed."""
    return EvidenceRun.objects.filter(
        survey=survey, status__in=[EvidenceRun.Status.QUEUED, EvidenceRun.Status.RUNNING]
    ).exists()


def published_tables(survey: Survey) -> QuerySet[PublishedTable]:
    """Tables of the survey published as open data, with their dataset and run."""
    return PublishedTable.objects.filter(survey=survey).select_related("dataset", "run")


@dataclass(frozen=True)
class SurveyData:
    """Everything the analysis reads, as frames and plain values."""

    survey_id: int
    title: str
    reference_date: date
    opens_at: datetime
    reminder_days: list[int]
    follow_up_day: int | None
    cases: pl.DataFrame  # one row per eligible case
    registry: pl.DataFrame  # one row per registry household on the reference date
    person_totals: dict[str, float]  # person_column -> residents on the reference date
    costs: dict[str, float]


def _on(ref: date, registered: date | None, removed: date | None) -> bool:
    return (registered is None or registered <= ref) and (removed is None or removed > ref)


def _registry(survey: Survey) -> tuple[pl.DataFrame, dict[str, float], dict[int, dict[str, Any]]]:
    """Registry households on the reference date with their classes; person totals by age group and sex."""
    ref = survey.reference_date
    municipality = survey.municipality
    names = dict(District.objects.filter(municipality=municipality).values_list("id", "name"))
    households = {
        pk: names[district_id]
        for pk, district_id, registered, removed in Household.objects.filter(
            municipality=municipality
        ).values_list("id", "district_id", "registered_on", "removed_on")
        if _on(ref, registered, removed)
    }
    members: dict[int, list[tuple[int, str, bool]]] = defaultdict(list)
    totals: dict[str, float] = {person_column(g, s): 0.0 for g in AGE_GROUPS for s in SEXES}
    for household_id, birth, sex, relationship, registered, removed in Person.objects.filter(
        municipality=municipality
    ).values_list("household_id", "birth_date", "sex", "relationship", "registered_on", "removed_on"):
        if household_id not in households or birth > ref or not _on(ref, registered, removed):
            continue
        age = ref.year - birth.year - int((ref.month, ref.day) < (birth.month, birth.day))
        members[household_id].append((age, sex, relationship == "世帯主"))
        totals[person_column(age_group(age), sex)] += 1
    rows: dict[int, dict[str, Any]] = {}
    for household_id, district in households.items():
        people = members.get(household_id)
        if not people:
            continue  # nobody lives there on the reference date: out of scope
        heads = [age for age, _sex, head in people if head]
        head_age = heads[0] if heads else max(age for age, _s, _h in people)
        row: dict[str, Any] = {
            "household_id": household_id,
            "district": district,
            "hh_size": len(people),
            "hh_size_class": size_class(len(people)),
            "head_age_class": head_age_class(head_age),
            "has_child": YES if any(age < 15 for age, _s, _h in people) else NO,
            "elderly_alone": YES if len(people) == 1 and people[0][0] >= 65 else NO,
        }
        for group in AGE_GROUPS:
            for sex in SEXES:
                row[person_column(group, sex)] = 0.0
        for age, sex, _head in people:
            row[person_column(age_group(age), sex)] += 1.0
        rows[household_id] = row
    frame = pl.DataFrame(list(rows.values())) if rows else pl.DataFrame()
    return frame, totals, rows


def _answer_variables(data: Any) -> dict[str, float | None]:
    """Survey-only variables of one submitted record (None where the household did not answer them)."""
    data = data if isinstance(data, dict) else {}
    household = data.get("household") if isinstance(data.get("household"), dict) else {}
    members = data.get("members") if isinstance(data.get("members"), list) else []
    dwelling = household.get("dwelling_type")
    tenure = household.get("tenure")
    area = household.get("floor_area")
    out: dict[str, float | None] = {
        "owned": None if tenure is None else float(tenure == "own"),
        "detached": None if dwelling is None else float(dwelling == "house"),
        "floor_area": float(area) if isinstance(area, int | float) else None,
        "answered_size": float(len(members)),
    }
    counts = {f"a_{g}": 0.0 for g in AGE_GROUPS}
    counts.update({f"w_{g}": 0.0 for g in AGE_GROUPS})
    for member in members:
        if not isinstance(member, dict) or not isinstance(member.get("age"), int | float):
            continue
        group = age_group(int(member["age"]))
        counts[f"a_{group}"] += 1
        if member.get("work_status") == "employed":
            counts[f"w_{group}"] += 1
    out.update(counts)
    out["n15"] = sum(counts[f"a_{g}"] for g in WORK_AGE_GROUPS)
    out["n_workers"] = sum(counts[f"w_{g}"] for g in WORK_AGE_GROUPS)
    return out


def survey_data(survey: Survey) -> SurveyData:
    """Read one survey: its eligible cases with registry classes, answers and paradata; the registry totals."""
    survey = Survey.objects.select_related("municipality").get(pk=survey.pk)
    registry, person_totals, by_household = _registry(survey)
    answers = {
        case_id: (mode, at, data)
        for case_id, mode, at, data in Answer.objects.filter(
            case__survey=survey, submitted_at__isnull=False
        ).values_list("case_id", "mode", "submitted_at", "submitted_data")
    }
    reminders: dict[int, list[datetime]] = defaultdict(list)
    visits: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    for case_id, kind, at, outcome in CaseEvent.objects.filter(
        survey=survey, kind__in=[CaseEvent.Kind.REMINDER_SENT, CaseEvent.Kind.VISIT]
    ).values_list("case_id", "kind", "at", "outcome"):
        if kind == CaseEvent.Kind.VISIT:
            visits[case_id].append((at, outcome))
        else:
            reminders[case_id].append(at)
    positions = {
        case_id: (area, position)
        for case_id, area, position in FollowUpAssignment.objects.filter(area__survey=survey).values_list(
            "case_id", "area__number", "position"
        )
    }
    opens = survey.opens_at
    rows: list[dict[str, Any]] = []
    for case_id, household_id, stratum, probability in survey.cases.values_list(
        "id", "household_id", "stratum", "selection_probability"
    ).order_by("id"):
        base = by_household.get(household_id)
        if base is None:
            continue
        row = dict(base)
        row.update(case_id=case_id, stratum=stratum or "all", prob=float(probability))
        answer = answers.get(case_id)
        submitted = answer[1] if answer else None
        before = [v for v in visits.get(case_id, []) if submitted is None or v[0] <= submitted]
        reminded = [r for r in reminders.get(case_id, []) if submitted is None or r <= submitted]
        row["responded"] = answer is not None
        row["mode"] = answer[0] if answer else ""
        row["submit_day"] = (submitted - opens).total_seconds() / 86400 if submitted else None
        if answer is None:
            row["path"] = ""
        elif before or answer[0] == "enumerator":
            row["path"] = "visit"
        elif reminded:
            row["path"] = "reminder"
        else:
            row["path"] = "letter"
        row["reminders"] = len(reminded)
        row["visits"] = len(before)
        row["last_outcome"] = before[-1][1] if before else ""
        area, position = positions.get(case_id, (0, 0))
        row["area"] = int(area)
        row["position"] = int(position)
        variables = _answer_variables(answer[2] if answer else None)
        if answer is None:
            variables = dict.fromkeys(variables)
        row.update(variables)
        rows.append(row)
    schema_overrides = {"submit_day": pl.Float64, "floor_area": pl.Float64, "owned": pl.Float64}
    cases = (
        pl.DataFrame(rows, schema_overrides=schema_overrides, infer_schema_length=None)
        if rows
        else pl.DataFrame()
    )
    schedule = (
        ReminderSchedule.objects.filter(survey=survey).values_list("days_after_opening", flat=True).first()
    )
    reminder_days = sorted(
        {int((at - opens).total_seconds() // 86400) for ats in reminders.values() for at in ats}
        or {int(d) for d in (schedule or [])}
    )
    follow_day = (
        (survey.follow_up_on - timezone.localtime(opens).date()).days if survey.follow_up_on else None
    )
    return SurveyData(
        survey_id=survey.pk,
        title=survey.title,
        reference_date=survey.reference_date,
        opens_at=opens,
        reminder_days=reminder_days,
        follow_up_day=follow_day,
        cases=cases,
        registry=registry,
        person_totals=person_totals,
        costs=costs_for(survey),
    )
