"""Simulated answers to a census (the demo's, or a test's): letters, reminders, answers, visits, in bulk.

`simulate_responses` gives a survey's cases a realistic, deterministic response pattern (the Django-free
model is `chiiki.demo.response_model`) and writes it as the survey would record it: paradata events, answers
as the form engine stores them on submission, and follow-up lists built by `fieldwork.actions.build_follow_up`
on the follow-up day, with each visit's outcome as `record_visit` writes it. Thousands of rows are written
with a few bulk statements, which only a fictional town may do: the demo package is allowed to write.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.core.models import Membership, Role
from chiiki.core.permissions import has_permission
from chiiki.demo import response_model as model
from chiiki.fieldwork import actions as fieldwork_actions
from chiiki.fieldwork.models import FollowUpArea, FollowUpAssignment, ReminderSchedule
from chiiki.registry.models import Person
from chiiki.surveys.contact.credentials import ACCESS_KEY_ALPHABET
from chiiki.surveys.models import Answer, CaseEvent, DeviceClass, Survey, SurveyCase

__all__ = ["SIMULATED_KEY", "SimulationError", "SimulationSummary", "simulate_demo", "simulate_responses"]

# Stored instead of a key hash for simulated cases: no hasher produces it, so nobody can log in with it.
SIMULATED_KEY = "!simulated"
_CHUNK = 900  # below SQLite's limit of bound parameters per statement
T = TypeVar("T")


class SimulationError(ValueError):
    """The survey cannot be given simulated answers; the message says why, Japanese first."""


@dataclass(frozen=True, slots=True)
class SimulationSummary:
    cases: int
    responded: int
    by_mode: dict[str, int]
    by_path: dict[str, int]
    visits: int
    low_response_districts: list[str]
    reminder_days: list[int]
    follow_up_day: int
    skipped_with_keys: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Response rate among the simulated cases, in percent."""
        return 100.0 * self.responded / self.cases if self.cases else 0.0


def simulate_responses(survey: Survey, *, seed: int = 2025, by: Actor) -> SimulationSummary:
    """Give the survey's cases a realistic, deterministic response pattern: answers, paradata and visits.

    Simulates every case that has no access key and no answer yet (cases with real keys are left for people
    to try the answering pages). Refused (SimulationError) when the sample is not drawn, when the survey
    already has simulated answers or follow-up lists, or when no case is left to simulate. A staff account
    needs surveys.manage (PermissionDenied otherwise); commands act as the operator.
    """
    with transaction.atomic():
        return _Round(survey, seed=seed, by=by).simulate()


def simulate_demo(demo_survey: Any, *, by: Actor) -> SimulationSummary | None:
    """Answers for the demo census when `chiiki demo load` has just created it (about 10 s for ~8,900 households),
    then its weights and estimates, so that the evidence page shows them as soon as the demo is loaded.

    A demo loaded before keeps its survey and answers as they are; `chiiki survey simulate-responses --survey
    ID` fills it. Its evidence is computed at load when it has answers but no finished run yet.
    """
    if demo_survey is None:
        return None
    summary = None
    if getattr(demo_survey, "created", False):
        summary = simulate_responses(demo_survey.survey, seed=2025, by=by)
    note = compute_demo_evidence(demo_survey.survey, by=by)
    if summary is not None and note:
        summary.notes.append(note)
    return summary


def compute_demo_evidence(survey: Survey, *, by: Actor) -> str:
    """Compute the survey's evidence run in this process when it has answers and no finished run; a note."""
    from chiiki.evidence import queries as evidence_queries
    from chiiki.evidence.actions import request_run
    from chiiki.evidence.models import EvidenceRun
    from chiiki.evidence.tasks import compute_evidence_run

    if (
        evidence_queries.latest_run(survey) is not None
        or not Answer.objects.filter(case__survey=survey).exists()
    ):
        return ""
    run = request_run(survey, by=by)
    compute_evidence_run.call(run.pk)
    run.refresh_from_db()
    if run.status != EvidenceRun.Status.DONE:
        return f"集計できませんでした / evidence run failed: {run.message}"[:300]
    return f"重みと推定値を集計しました / weights and estimates computed (run {run.pk})"


class _Round:
    """One simulated round of a survey, written in the order a real round happens."""

    def __init__(self, survey: Survey, *, seed: int, by: Actor) -> None:
        self.survey = Survey.objects.select_for_update().select_related("municipality").get(pk=survey.pk)
        self.municipality = self.survey.municipality
        self.seed = seed
        self.by = by
        if by.user is not None and not has_permission(by.user, self.municipality, "surveys.manage"):
            raise PermissionDenied("この操作の権限がありません (surveys.manage required)")
        candidates = self._candidates()
        self.units = _units(self.survey, candidates)
        self.unit_of = {u.case_id: u for u in self.units}
        self.reminder_days, self.follow_day, self.last_day = _timeline(self.survey)
        self.helpdesk = (
            Membership.objects.filter(municipality=self.municipality, role=Role.HELPDESK)
            .order_by("user_id")
            .values_list("user_id", flat=True)
            .first()
        )
        self.opens = self.survey.opens_at
        self.common = {"municipality_id": self.municipality.pk, "survey_id": self.survey.pk}
        self.events: list[CaseEvent] = []
        self.answers: list[Answer] = []
        self.notes: list[str] = []
        self.visits = 0

    def _candidates(self) -> set[int]:
        survey = self.survey
        if survey.sampled_at is None and not survey.cases.exists():
            raise SimulationError(
                f"調査 {survey.pk} の対象世帯がまだ抽出されていません (sample not drawn yet)"
            )
        if (
            FollowUpArea.objects.filter(survey=survey).exists()
            or Answer.objects.filter(case__survey=survey, case__access_key_hash=SIMULATED_KEY).exists()
        ):
            raise SimulationError(
                f"調査 {survey.pk} には回答か訪問リストがすでにあります。模擬回答は作りません "
                "(the survey already has answers or follow-up lists)"
            )
        candidates = set(
            survey.cases.filter(access_key_hash="", answer__isnull=True).values_list("id", flat=True)
        )
        if not candidates:
            raise SimulationError(
                f"調査 {survey.pk} に模擬回答を作れる世帯がありません (no case without a key and an answer)"
            )
        self.keyed = survey.cases.exclude(access_key_hash="").count()
        return candidates

    def at(self, day: float) -> datetime:
        return self.opens + timedelta(days=day)

    def event(self, case_id: int, kind: str, at: datetime, **fields: Any) -> None:
        self.events.append(CaseEvent(case_id=case_id, kind=kind, at=at, **fields, **self.common))

    def simulate(self) -> SimulationSummary:
        result = model.simulate(
            self.units,
            seed=self.seed,
            opens=timezone.localtime(self.opens),
            reminder_days=self.reminder_days,
            follow_up_day=self.follow_day,
            last_day=self.last_day,
            assisted_available=self.helpdesk is not None,
        )
        self.receipts = _receipts(self.seed, [s.case_id for s in result.households if s.responded])
        self.letters_and_reminders(result)
        self.answers_before_visits(result)
        visited = [s for s in result.households if s.visits]
        if visited and self.survey.follow_up_on is not None:
            self.visit(visited)
        elif visited:
            self.notes.append(
                "訪問開始日がないため訪問は模擬しません (no follow-up date: no visits simulated)"
            )
        CaseEvent.objects.bulk_create(self.events, batch_size=1000)
        summary = self.summary(result)
        self.record(summary)
        return summary

    def letters_and_reminders(self, result: model.Simulation) -> None:
        """Every candidate got the letter (one statement: a filter, not a list of ids), some reminders."""
        self.survey.cases.filter(access_key_hash="", answer__isnull=True).update(
            status=SurveyCase.Status.ISSUED, access_key_hash=SIMULATED_KEY, keys_issued_at=self.opens
        )
        for unit in self.units:
            self.event(unit.case_id, CaseEvent.Kind.LETTER_SENT, self.opens, channel="post")
        for sim in result.households:
            for n, day in enumerate(sim.reminders, start=1):
                detail = {"round": n, "day": day, "simulated": True}
                self.event(
                    sim.case_id, CaseEvent.Kind.REMINDER_SENT, self.at(day), channel="outbox", detail=detail
                )

    def answers_before_visits(self, result: model.Simulation) -> None:
        """Answers after the letter or a reminder: online, or with the help desk."""
        answers: list[Answer] = []
        for sim in result.households:
            if not sim.responded or sim.visits:
                continue
            assert sim.day is not None  # noqa: S101 - a response has a day
            device = self.device(sim.case_id)
            supporter = self.helpdesk if sim.mode == "assisted" else None
            if sim.mode == "web":
                self.event(
                    sim.case_id,
                    CaseEvent.Kind.LOGIN,
                    self.at(sim.day) - timedelta(minutes=15),
                    device_class=device,
                )
            else:
                self.event(
                    sim.case_id,
                    CaseEvent.Kind.ASSISTED_OPENED,
                    self.at(sim.day) - timedelta(minutes=20),
                    by_id=supporter,
                )
            self.event(
                sim.case_id,
                CaseEvent.Kind.SUBMITTED,
                self.at(sim.day),
                mode=sim.mode,
                device_class=device if sim.mode == "web" else DeviceClass.UNKNOWN,
                by_id=supporter,
            )
            answers.append(self.answer(sim, supporter))
        self.save_answers(answers)

    def visit(self, visited: list[model.SimulatedHousehold]) -> None:
        """The follow-up lists drawn on the follow-up day, then each household's visits and late answers."""
        try:
            fieldwork_actions.build_follow_up(self.survey, by=self.by, today=self.survey.follow_up_on)
        except fieldwork_actions.FieldworkError as error:
            self.notes.append(str(error))
            return
        assignments = {
            a.case_id: a
            for a in FollowUpAssignment.objects.filter(area__survey=self.survey).select_related("area")
        }
        late: list[Answer] = []
        changed: list[FollowUpAssignment] = []
        for sim in visited:
            assignment = assignments.get(sim.case_id)
            if assignment is None:
                continue
            changed.append(self.visits_of(sim, assignment))
            if sim.responded:
                late.append(self.answer_after_visit(sim, assignment.area.enumerator_id))
        _save_outcomes(changed)
        self.save_answers(late)

    def visits_of(self, sim: model.SimulatedHousehold, assignment: FollowUpAssignment) -> FollowUpAssignment:
        for visit in sim.visits:
            self.event(
                sim.case_id,
                CaseEvent.Kind.VISIT,
                self.at(visit.day),
                outcome=visit.outcome,
                mode="enumerator",
                by_id=assignment.area.enumerator_id,
                detail={"simulated": True},
            )
            self.visits += 1
        assignment.outcome = sim.visits[-1].outcome
        assignment.outcome_at = self.at(sim.visits[-1].day)
        assignment.visits = len(sim.visits)
        return assignment

    def answer_after_visit(self, sim: model.SimulatedHousehold, enumerator: int | None) -> Answer:
        assert sim.day is not None  # noqa: S101 - a response has a day
        supporter = enumerator if sim.mode == "enumerator" else None
        if sim.mode == "web":
            self.event(
                sim.case_id,
                CaseEvent.Kind.LOGIN,
                self.at(sim.day) - timedelta(minutes=15),
                device_class=self.device(sim.case_id),
            )
        self.event(sim.case_id, CaseEvent.Kind.SUBMITTED, self.at(sim.day), mode=sim.mode, by_id=supporter)
        return self.answer(sim, supporter)

    def device(self, case_id: int) -> str:
        rng = random.Random(f"{self.seed}:device:{case_id}")  # noqa: S311 - simulated demo data, reproducible by design
        return _device(self.unit_of[case_id].head_age, rng)

    def answer(self, sim: model.SimulatedHousehold, supporter: int | None) -> Answer:
        assert sim.day is not None  # noqa: S101 - a response has a day
        assert sim.answers is not None  # noqa: S101 - and answers
        when = self.at(sim.day)
        return Answer(
            case_id=sim.case_id, data=sim.answers, version=1, mode=sim.mode, assisted_by_id=supporter,
            last_page="closing", started_at=when - timedelta(minutes=12), updated_at=when, submitted_at=when,
            submitted_version=1, submitted_data=sim.answers, receipt_number=self.receipts[sim.case_id],
            submissions=1,
        )  # fmt: skip

    def save_answers(self, answers: list[Answer]) -> None:
        Answer.objects.bulk_create(answers, batch_size=500)
        _mark_submitted(self.survey)
        self.answers += answers

    def summary(self, result: model.Simulation) -> SimulationSummary:
        submitted = {a.case_id for a in self.answers}
        counted = Counter(a.mode for a in self.answers)
        by_path: Counter[str] = Counter()
        for sim in result.households:
            if sim.case_id in submitted:
                by_path["visit" if sim.visits else "reminder" if sim.reminders else "letter"] += 1
        low_names = sorted(
            self.municipality.districts.filter(code__in=result.low_districts).values_list("name", flat=True)
        )
        return SimulationSummary(
            cases=len(self.units),
            responded=len(submitted),
            by_mode={mode: counted[mode] for mode in ("web", "assisted", "enumerator") if counted[mode]},
            by_path=dict(sorted(by_path.items())),
            visits=self.visits,
            low_response_districts=low_names,
            reminder_days=list(result.reminder_days),
            follow_up_day=self.follow_day,
            skipped_with_keys=self.keyed,
            notes=self.notes,
        )

    def record(self, summary: SimulationSummary) -> None:
        audit.record(
            "evidence.responses_simulate",
            by=self.by,
            municipality=self.municipality,
            object_type="survey",
            object_id=self.survey.pk,
            detail={
                "seed": self.seed,
                "cases": summary.cases,
                "responded": summary.responded,
                "by_mode": summary.by_mode,
                "by_path": summary.by_path,
                "visits": summary.visits,
            },
        )


def _chunks(items: Sequence[T], size: int = _CHUNK) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _units(survey: Survey, case_ids: set[int]) -> list[model.Unit]:
    """The cases to simulate with their registry members on the reference date (head first)."""
    ref = survey.reference_date
    cases = {
        household_id: case_id
        for household_id, case_id in survey.cases.values_list("household_id", "id")
        if case_id in case_ids
    }
    districts = dict(survey.cases.values_list("household_id", "household__district__code"))
    members: dict[int, list[tuple[int, model.Member]]] = {}
    rows = (
        Person.objects.filter(household__survey_cases__survey=survey)
        .values_list(
            "id",
            "household_id",
            "family_name",
            "given_name",
            "sex",
            "birth_date",
            "relationship",
            "registered_on",
            "removed_on",
        )
        .order_by("household_id", "id")
    )
    for _pid, household_id, family, given, sex, birth, relationship, registered, removed in rows:
        if household_id not in cases or birth > ref:
            continue
        if (registered is not None and registered > ref) or (removed is not None and removed <= ref):
            continue
        before = (ref.month, ref.day) < (birth.month, birth.day)
        member = model.Member(
            f"{family} {given}", sex, birth, relationship, ref.year - birth.year - int(before)
        )
        members.setdefault(household_id, []).append((0 if relationship == "世帯主" else 1, member))
    units = []
    for household_id, case_id in sorted(cases.items(), key=lambda hc: hc[1]):
        people = [m for _, m in sorted(members.get(household_id, []), key=lambda km: km[0])]
        if people:
            units.append(model.Unit(case_id, districts[household_id], tuple(people)))
    return units


def _timeline(survey: Survey) -> tuple[list[int], int, int]:
    """Reminder days, first visit day and last day (days after opening) of the simulated round."""
    opened = timezone.localtime(survey.opens_at).date()
    length = max(7, (survey.closes_at - survey.opens_at).days - 1)
    follow = (survey.follow_up_on - opened).days if survey.follow_up_on else min(21, length - 5)
    follow = max(3, min(follow, length - 2))
    schedule = ReminderSchedule.objects.filter(survey=survey).first()
    if schedule is not None and schedule.days_after_opening:
        days = [int(d) for d in schedule.days_after_opening if 0 < int(d) < follow]
    else:
        days = sorted({max(1, round(follow * 0.45)), max(2, round(follow * 0.8))} - {follow})
    return days, follow, min(length, follow + 28)


def _receipt(seed: int, case_id: int, attempt: int) -> str:
    rng = random.Random(f"{seed}:receipt:{case_id}:{attempt}")  # noqa: S311 - simulated demo data, reproducible by design
    return "".join(rng.choice(ACCESS_KEY_ALPHABET) for _ in range(12))


def _receipts(seed: int, case_ids: Sequence[int]) -> dict[int, str]:
    """Deterministic receipt numbers that no other answer (and no other case here) uses."""
    out = {case_id: _receipt(seed, case_id, 0) for case_id in case_ids}
    for attempt in range(1, 10):
        taken: set[str] = set()
        for chunk in _chunks(list(out.values())):
            taken.update(
                str(n)
                for n in Answer.objects.filter(receipt_number__in=chunk).values_list(
                    "receipt_number", flat=True
                )
            )
        seen: Counter[str] = Counter(out.values())
        clash = [c for c, n in out.items() if n in taken or seen[n] > 1]
        if not clash:
            return out
        for case_id in clash:
            out[case_id] = _receipt(seed, case_id, attempt)
    raise SimulationError("受付番号を割り当てられませんでした (could not assign receipt numbers)")


def _device(age: int, rng: random.Random) -> str:
    x = rng.random()
    mobile = 0.8 if age < 40 else 0.55 if age < 65 else 0.35
    if x < mobile:
        return DeviceClass.MOBILE
    return DeviceClass.TABLET if x < mobile + 0.1 else DeviceClass.DESKTOP


def _mark_submitted(survey: Survey) -> None:
    """Simulated cases with a submitted answer get the submitted status (one statement)."""
    survey.cases.filter(access_key_hash=SIMULATED_KEY, answer__submitted_at__isnull=False).exclude(
        status=SurveyCase.Status.SUBMITTED
    ).update(status=SurveyCase.Status.SUBMITTED)


def _save_outcomes(assignments: list[FollowUpAssignment]) -> None:
    """Write the visit outcome, time and count of many assignments with one prepared UPDATE.

    bulk_update builds a CASE expression per row, which costs more than the whole simulation on 3,000 rows.
    """
    table = connection.ops.quote_name(FollowUpAssignment._meta.db_table)
    params = [
        (a.outcome, connection.ops.adapt_datetimefield_value(a.outcome_at), a.visits, a.pk)
        for a in assignments
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET outcome = %s, outcome_at = %s, visits = %s WHERE id = %s",  # noqa: S608 - table name from the model
            params,
        )
