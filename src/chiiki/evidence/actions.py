"""Changes made by the evidence app: simulated answers, evidence runs, cost settings, published tables.

Each runs in one transaction and writes its audit record.
"""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.acting import Actor as ActingActor
from chiiki.core.models import Membership, Role
from chiiki.core.permissions import has_permission
from chiiki.estimation import EstimationError
from chiiki.evidence import analysis, queries, simulation
from chiiki.evidence import tables as table_defs
from chiiki.evidence.models import EvidenceRun, PublishedTable, SurveyCosts
from chiiki.fieldwork import actions as fieldwork_actions
from chiiki.fieldwork.models import FollowUpArea, FollowUpAssignment, ReminderSchedule
from chiiki.opendata import actions as opendata_actions
from chiiki.registry.models import Person
from chiiki.surveys.contact.credentials import ACCESS_KEY_ALPHABET
from chiiki.surveys.models import Answer, CaseEvent, DeviceClass, Survey, SurveyCase

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.http import HttpRequest

    Actor = AbstractBaseUser | AnonymousUser | None

# Stored instead of a key hash for simulated cases: no hasher produces it, so nobody can log in with it.
SIMULATED_KEY = "!simulated"
_CHUNK = 900  # below SQLite's limit of bound parameters per statement
T = TypeVar("T")


class EvidenceError(ValueError):
    """An evidence action that cannot be done as asked; the message says why, Japanese first."""


def _require(by: Actor, municipality: Any, permission: str = "surveys.manage") -> None:
    """Staff must hold `permission`; `by=None` means a command or task run by the operator."""
    if by is not None and not has_permission(by, municipality, permission):
        raise PermissionDenied(f"この操作の権限がありません ({permission} required)")


def _chunks(items: Sequence[T], size: int = _CHUNK) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- simulated answers -------------------------------------------------------------------------------------------


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


def _units(survey: Survey, case_ids: set[int]) -> list[simulation.Unit]:
    """The cases to simulate with their registry members on the reference date (head first)."""
    ref = survey.reference_date
    cases = {
        household_id: case_id
        for household_id, case_id in survey.cases.values_list("household_id", "id")
        if case_id in case_ids
    }
    districts = dict(survey.cases.values_list("household_id", "household__district__code"))
    members: dict[int, list[tuple[int, simulation.Member]]] = {}
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
        member = simulation.Member(
            f"{family} {given}", sex, birth, relationship, ref.year - birth.year - int(before)
        )
        members.setdefault(household_id, []).append((0 if relationship == "世帯主" else 1, member))
    units = []
    for household_id, case_id in sorted(cases.items(), key=lambda hc: hc[1]):
        people = [m for _, m in sorted(members.get(household_id, []), key=lambda km: km[0])]
        if people:
            units.append(simulation.Unit(case_id, districts[household_id], tuple(people)))
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
    raise EvidenceError("受付番号を割り当てられませんでした (could not assign receipt numbers)")


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


def simulate_responses(
    survey: Survey, *, seed: int = 2025, by: Actor = None, actor_label: str = ""
) -> SimulationSummary:
    """Give the survey's cases a realistic, deterministic response pattern: answers, paradata and visits.

    Simulates every case that has no access key and no answer yet (cases with real keys are left for people
    to try the answering pages). Letters, reminders, logins and submissions are written as paradata rows;
    the follow-up lists are built by `fieldwork.actions.build_follow_up` on the follow-up day, and the visits
    are written to those lists as `record_visit` writes them (event with outcome and enumerator, the list's
    outcome and count), in bulk. Refused when the survey already has simulated or real answers to replace.
    """
    with transaction.atomic():
        return _simulate(survey, seed=seed, by=by, actor_label=actor_label)


def _simulate(survey: Survey, *, seed: int, by: Actor, actor_label: str) -> SimulationSummary:  # noqa: C901, PLR0912, PLR0915
    survey = Survey.objects.select_for_update().select_related("municipality").get(pk=survey.pk)
    municipality = survey.municipality
    _require(by, municipality)
    if survey.sampled_at is None and not survey.cases.exists():
        raise EvidenceError(f"調査 {survey.pk} の対象世帯がまだ抽出されていません (sample not drawn yet)")
    if (
        FollowUpArea.objects.filter(survey=survey).exists()
        or Answer.objects.filter(case__survey=survey, case__access_key_hash=SIMULATED_KEY).exists()
    ):
        raise EvidenceError(
            f"調査 {survey.pk} には回答か訪問リストがすでにあります。模擬回答は作りません "
            "(the survey already has answers or follow-up lists)"
        )
    candidates = set(
        survey.cases.filter(access_key_hash="", answer__isnull=True).values_list("id", flat=True)
    )
    keyed = survey.cases.exclude(access_key_hash="").count()
    if not candidates:
        raise EvidenceError(
            f"調査 {survey.pk} に模擬回答を作れる世帯がありません (no case without a key and an answer)"
        )
    units = _units(survey, candidates)
    unit_of = {u.case_id: u for u in units}
    reminder_days, follow_day, last_day = _timeline(survey)
    helpdesk = (
        Membership.objects.filter(municipality=municipality, role=Role.HELPDESK)
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .first()
    )
    opens = survey.opens_at
    result = simulation.simulate(
        units,
        seed=seed,
        opens=timezone.localtime(opens),
        reminder_days=reminder_days,
        follow_up_day=follow_day,
        last_day=last_day,
        assisted_available=helpdesk is not None,
    )
    notes: list[str] = []
    ids = [u.case_id for u in units]
    # Every candidate got the letter (one statement: a filter, not a list of ids).
    survey.cases.filter(access_key_hash="", answer__isnull=True).update(
        status=SurveyCase.Status.ISSUED, access_key_hash=SIMULATED_KEY, keys_issued_at=opens
    )

    def at(day: float) -> datetime:
        return opens + timedelta(days=day)

    common = {"municipality_id": municipality.pk, "survey_id": survey.pk}
    events: list[CaseEvent] = [
        CaseEvent(case_id=c, kind=CaseEvent.Kind.LETTER_SENT, at=opens, channel="post", **common) for c in ids
    ]
    for sim in result.households:
        for n, day in enumerate(sim.reminders, start=1):
            detail = {"round": n, "day": day, "simulated": True}
            events.append(
                CaseEvent(
                    case_id=sim.case_id,
                    kind=CaseEvent.Kind.REMINDER_SENT,
                    at=at(day),
                    channel="outbox",
                    detail=detail,
                    **common,
                )
            )
    early = [s for s in result.households if s.responded and not s.visits]
    receipts = _receipts(seed, [s.case_id for s in result.households if s.responded])

    def answer_row(sim: simulation.SimulatedHousehold, supporter: int | None) -> Answer:
        assert sim.day is not None  # noqa: S101 - a response has a day
        assert sim.answers is not None  # noqa: S101 - and answers
        when = at(sim.day)
        return Answer(
            case_id=sim.case_id, data=sim.answers, version=1, mode=sim.mode, assisted_by_id=supporter,
            last_page="closing", started_at=when - timedelta(minutes=12), updated_at=when, submitted_at=when,
            submitted_version=1, submitted_data=sim.answers, receipt_number=receipts[sim.case_id], submissions=1,
        )  # fmt: skip

    answers: list[Answer] = []
    for sim in early:
        assert sim.day is not None  # noqa: S101
        rng = random.Random(f"{seed}:device:{sim.case_id}")  # noqa: S311 - simulated demo data, reproducible by design
        device = _device(unit_of[sim.case_id].head_age, rng)
        supporter = helpdesk if sim.mode == "assisted" else None
        if sim.mode == "web":
            events.append(
                CaseEvent(
                    case_id=sim.case_id,
                    kind=CaseEvent.Kind.LOGIN,
                    at=at(sim.day) - timedelta(minutes=15),
                    device_class=device,
                    **common,
                )
            )
        else:
            events.append(
                CaseEvent(
                    case_id=sim.case_id,
                    kind=CaseEvent.Kind.ASSISTED_OPENED,
                    at=at(sim.day) - timedelta(minutes=20),
                    by_id=supporter,
                    **common,
                )
            )
        events.append(
            CaseEvent(
                case_id=sim.case_id,
                kind=CaseEvent.Kind.SUBMITTED,
                at=at(sim.day),
                mode=sim.mode,
                device_class=device if sim.mode == "web" else DeviceClass.UNKNOWN,
                by_id=supporter,
                **common,
            )
        )
        answers.append(answer_row(sim, supporter))
    Answer.objects.bulk_create(answers, batch_size=500)
    _mark_submitted(survey)

    # The follow-up lists are drawn when the visits start, from the households that have not answered by then.
    visited = [s for s in result.households if s.visits]
    visits = 0
    if visited and survey.follow_up_on is not None:
        try:
            fieldwork_actions.build_follow_up(
                survey,
                by=ActingActor.for_user(by, label=actor_label or "evidence simulation"),
                today=survey.follow_up_on,
            )
        except fieldwork_actions.FieldworkError as error:
            notes.append(str(error))
            visited = []
        assignments = {
            a.case_id: a
            for a in FollowUpAssignment.objects.filter(area__survey=survey).select_related("area")
        }
        late: list[Answer] = []
        changed: list[FollowUpAssignment] = []
        for sim in visited:
            assignment = assignments.get(sim.case_id)
            if assignment is None:
                continue
            enumerator = assignment.area.enumerator_id
            for visit in sim.visits:
                events.append(
                    CaseEvent(
                        case_id=sim.case_id,
                        kind=CaseEvent.Kind.VISIT,
                        at=at(visit.day),
                        outcome=visit.outcome,
                        mode="enumerator",
                        by_id=enumerator,
                        detail={"simulated": True},
                        **common,
                    )
                )
                visits += 1
            assignment.outcome = sim.visits[-1].outcome
            assignment.outcome_at = at(sim.visits[-1].day)
            assignment.visits = len(sim.visits)
            changed.append(assignment)
            if sim.responded:
                assert sim.day is not None  # noqa: S101
                supporter = enumerator if sim.mode == "enumerator" else None
                if sim.mode == "web":
                    device = _device(
                        unit_of[sim.case_id].head_age,
                        random.Random(f"{seed}:device:{sim.case_id}"),  # noqa: S311 - simulated demo data, reproducible by design
                    )
                    events.append(
                        CaseEvent(
                            case_id=sim.case_id,
                            kind=CaseEvent.Kind.LOGIN,
                            at=at(sim.day) - timedelta(minutes=15),
                            device_class=device,
                            **common,
                        )
                    )
                events.append(
                    CaseEvent(
                        case_id=sim.case_id,
                        kind=CaseEvent.Kind.SUBMITTED,
                        at=at(sim.day),
                        mode=sim.mode,
                        by_id=supporter,
                        **common,
                    )
                )
                late.append(answer_row(sim, supporter))
        _save_outcomes(changed)
        Answer.objects.bulk_create(late, batch_size=500)
        _mark_submitted(survey)
        answers += late
    elif visited:
        notes.append("訪問開始日がないため訪問は模擬しません (no follow-up date: no visits simulated)")
    CaseEvent.objects.bulk_create(events, batch_size=1000)
    submitted = {a.case_id for a in answers}
    counted = Counter(a.mode for a in answers)
    by_mode = {mode: counted[mode] for mode in ("web", "assisted", "enumerator") if counted[mode]}
    by_path: Counter[str] = Counter()
    for sim in result.households:
        if sim.case_id in submitted:
            by_path["visit" if sim.visits else "reminder" if sim.reminders else "letter"] += 1
    low_names = sorted(
        survey.municipality.districts.filter(code__in=result.low_districts).values_list("name", flat=True)
    )
    summary = SimulationSummary(
        cases=len(units),
        responded=len(submitted),
        by_mode=by_mode,
        by_path=dict(sorted(by_path.items())),
        visits=visits,
        low_response_districts=low_names,
        reminder_days=list(result.reminder_days),
        follow_up_day=follow_day,
        skipped_with_keys=keyed,
        notes=notes,
    )
    audit.record(
        "evidence.responses_simulate",
        actor=by,
        municipality=municipality,
        object_type="survey",
        object_id=survey.pk,
        detail={
            "seed": seed,
            "cases": summary.cases,
            "responded": summary.responded,
            "by_mode": summary.by_mode,
            "by_path": summary.by_path,
            "visits": visits,
        },
        actor_label=actor_label,
    )
    return summary


# --- evidence runs ---------------------------------------------------------------------------------------------


def run_options(survey: Survey, *, threshold: int | None = None) -> dict[str, Any]:
    """The options a run uses: unit costs, disclosure threshold, enumerator cuts simulated."""
    return {
        "costs": queries.costs_for(survey),
        "threshold": threshold or int(getattr(settings, "CHIIKI_DISCLOSURE_MIN_HOUSEHOLDS", 3)),
        "enumerator_cuts": [25, 50],
    }


@transaction.atomic
def request_run(
    survey: Survey, *, by: Actor, threshold: int | None = None, request: HttpRequest | None = None
) -> EvidenceRun:
    """Queue a run of weights, estimates and evidence for `survey`; the task runs it after commit."""
    _require(by, survey.municipality_id)
    run = EvidenceRun.objects.create(
        municipality_id=survey.municipality_id,
        survey=survey,
        requested_by=by if by is not None and by.is_authenticated else None,  # type: ignore[misc]
        options=run_options(survey, threshold=threshold),
    )
    audit.record(
        "evidence.run_request",
        actor=by,
        municipality=survey.municipality_id,
        request=request,
        object_type="survey",
        object_id=survey.pk,
        detail={"run": run.pk},
    )
    from chiiki.evidence.tasks import compute_evidence_run

    transaction.on_commit(lambda: compute_evidence_run.enqueue(run.pk))
    return run


def compute_run(run: EvidenceRun, *, actor_label: str = "") -> EvidenceRun:
    """Compute a queued run now (the task, the command and tests call this); a failure is stored, not raised."""
    with transaction.atomic():
        run = EvidenceRun.objects.select_for_update().select_related("survey").get(pk=run.pk)
        if run.status == EvidenceRun.Status.DONE:
            return run
        run.status, run.started_at = EvidenceRun.Status.RUNNING, timezone.now()
        run.save(update_fields=["status", "started_at"])
    options = run.options or run_options(run.survey)
    try:
        data = queries.survey_data(run.survey)
        result = analysis.analyse(
            data.cases,
            data.registry,
            data.person_totals,
            costs=options["costs"],
            reminder_days=data.reminder_days,
            follow_up_day=data.follow_up_day,
            threshold=int(options["threshold"]),
            enumerator_cuts=options.get("enumerator_cuts", (25, 50)),
        )
        result["survey"] = {
            "id": run.survey_id,
            "title": data.title,
            "reference_date": data.reference_date.isoformat(),
            "opens_at": data.opens_at.isoformat(),
        }
        run.result = json.loads(json.dumps(result, default=str))
        run.status, run.message = EvidenceRun.Status.DONE, ""
    except (EstimationError, ValueError, KeyError) as error:
        run.status, run.message = EvidenceRun.Status.FAILED, str(error)[:2000]
    run.finished_at = timezone.now()
    with transaction.atomic():
        run.save(update_fields=["status", "message", "result", "finished_at"])
        audit.record(
            "evidence.run_compute",
            actor=None,
            actor_label=actor_label or "evidence run",
            municipality=run.municipality_id,
            object_type="survey",
            object_id=run.survey_id,
            detail={"run": run.pk, "status": run.status},
        )
    return run


def run_now(survey: Survey, *, by: Actor = None, actor_label: str = "") -> EvidenceRun:
    """Create and compute a run in this process (commands and tests; the page queues a task instead)."""
    _require(by, survey.municipality_id)
    run = EvidenceRun.objects.create(
        municipality_id=survey.municipality_id, survey=survey, options=run_options(survey)
    )
    return compute_run(run, actor_label=actor_label)


@transaction.atomic
def set_costs(
    survey: Survey, costs: Mapping[str, float], *, by: Actor, request: HttpRequest | None = None
) -> SurveyCosts:
    """Set the unit costs (yen) of a survey's field work; unknown keys and negative costs are refused."""
    _require(by, survey.municipality_id)
    unknown = set(costs) - set(queries.DEFAULT_COSTS)
    if unknown:
        raise EvidenceError(f"知らない費用の項目です: {', '.join(sorted(unknown))} (unknown cost items)")
    if any(float(v) < 0 or not math.isfinite(float(v)) for v in costs.values()):
        raise EvidenceError("費用は 0 以上の数にしてください (costs must be non-negative numbers)")
    row, _ = SurveyCosts.objects.update_or_create(
        survey=survey,
        defaults={
            "costs": {k: float(v) for k, v in costs.items()},
            "updated_at": timezone.now(),
            "updated_by": by if by is not None and by.is_authenticated else None,
        },
    )
    audit.record(
        "evidence.costs_set",
        actor=by,
        municipality=survey.municipality_id,
        request=request,
        object_type="survey",
        object_id=survey.pk,
        detail={"costs": row.costs},
    )
    return row


def latest_run(survey: Survey) -> EvidenceRun | None:
    """The survey's most recent finished run."""
    return (
        EvidenceRun.objects.filter(survey=survey, status=EvidenceRun.Status.DONE)
        .order_by("-finished_at", "-id")
        .first()
    )


# --- publication -------------------------------------------------------------------------------------------------


def _metadata(survey: Survey, run: EvidenceRun, table: dict[str, Any]) -> dict[str, Any]:
    result = run.result or {}
    weights = result.get("weights", {})
    return {
        "survey": {
            "id": survey.pk,
            "title": survey.title,
            "reference_date": survey.reference_date.isoformat(),
        },
        "table": {"name": table["name"], "title": table["title"], "unit": table["unit"]},
        "run": {"id": run.pk, "computed_at": run.finished_at.isoformat() if run.finished_at else None},
        "method": {
            "weights": "design weights 1/π → non-response adjustment ("
            + str(weights.get("nonresponse_method", ""))
            + ") → calibration to the resident registry on the reference date by district, household size "
            "and persons by age group × sex (" + str(weights.get("calibration_method", "")) + ")",
            "estimates": "weighted totals (Horvitz–Thompson with calibrated weights)",
            "standard_errors": "Taylor linearisation with the calibration's GREG residuals; "
            "95% interval = estimate ± 1.96 × standard error",
            "respondents": weights.get("respondents"),
            "eligible_households": weights.get("eligible"),
            "response_rate_percent": weights.get("response_rate"),
        },
        "disclosure_control": {
            "rule": f"cells with fewer than {table['threshold']} responding households are hidden (primary); "
            "complementary cells are hidden so that no hidden cell can be recovered from the totals "
            "(checked by linear programming)",
            "threshold_households": table["threshold"],
            "hidden_cells": table["suppressed"],
            "mark": table_defs.SUPPRESSED,
        },
    }


def publish_table(
    survey: Survey,
    table_name: str,
    *,
    by: Actor,
    run: EvidenceRun | None = None,
    request: HttpRequest | None = None,
    actor_label: str = "",
) -> PublishedTable:
    """Publish one disclosure-checked table of the latest run as an open-data dataset (CSV + metadata JSON).

    Refused (EvidenceError, message in Japanese first) when there is no finished run, the table is unknown,
    the disclosure check failed, or the table of this run is already published.
    """
    _require(by, survey.municipality_id)
    run = run or latest_run(survey)
    if run is None or run.status != EvidenceRun.Status.DONE or not run.result:
        raise EvidenceError(
            f"調査 {survey.pk} の集計結果がありません。先に集計してください (no finished evidence run)"
        )
    tables = run.result.get("tables", {})
    table = tables.get(table_name)
    if table is None:
        raise EvidenceError(
            f"表「{table_name}」はありません。使える表: {', '.join(sorted(tables))} (unknown table)"
        )
    if not table.get("passed"):
        raise EvidenceError(
            f"表「{table['title']}」は秘匿の検査に通らなかったため公開しません: {table.get('message', '')} "
            "(the disclosure check failed; nothing was published)"
        )
    existing = PublishedTable.objects.filter(run=run, table=table_name).select_related("dataset").first()
    if existing is not None:
        raise EvidenceError(
            f"この集計の表「{table['title']}」は公開済みです(データセット {existing.dataset.name})"
            " (already published)"
        )
    municipality = survey.municipality
    name = f"survey-{survey.pk}-{table_name.replace('_', '-')}-r{run.pk}"
    metadata = _metadata(survey, run, table)
    notes = (
        f"{survey.title}(調査期日 {survey.reference_date.isoformat()})の集計表です。"
        "住民基本台帳の地区・世帯人員・男女別年齢階級の人数に合わせて重みを較正した推計値で、標準誤差と"
        f"95% 信頼区間を付けています。回答世帯が {table['threshold']} 世帯未満のセルと、それを合計から"
        f"逆算できないようにするためのセルを「{table_defs.SUPPRESSED}」で秘匿しています。"
    )
    with transaction.atomic():
        dataset = opendata_actions.create_dataset(
            opendata_actions.organization_for(municipality),
            name=name,
            title=f"{survey.title} {table['title']}",
            by=by,
            notes=notes,
            tags=["統計調査", "推計"],
            extras={
                "survey_id": survey.pk,
                "reference_date": survey.reference_date.isoformat(),
                "table": table_name,
            },
            actor_label=actor_label,
            request=request,
        )
        opendata_actions.add_resource(
            dataset, by=by, name=f"{table['title']}.csv", fmt="CSV", content=table_defs.table_csv(table),
            filename=f"{table_name}.csv", description="推計値・標準誤差・95%信頼区間(秘匿セルは X)",
            actor_label=actor_label, request=request,
        )  # fmt: skip
        opendata_actions.add_resource(
            dataset, by=by, name="metadata.json", fmt="JSON",
            content=json.dumps(metadata, ensure_ascii=False, indent=2).encode("utf-8"),
            filename=f"{table_name}-metadata.json", description="調査・調査期日・推計方法・標準誤差・秘匿の方法",
            actor_label=actor_label, request=request,
        )  # fmt: skip
        opendata_actions.publish(dataset, by=by, request=request, actor_label=actor_label)
        published = PublishedTable.objects.create(
            municipality=municipality,
            survey=survey,
            run=run,
            table=table_name,
            dataset=dataset,
            suppressed_cells=int(table["suppressed"]),
            published_by=by if by is not None and by.is_authenticated else None,  # type: ignore[misc]
        )
        audit.record(
            "evidence.table_publish",
            actor=by,
            municipality=municipality,
            request=request,
            object_type="survey",
            object_id=survey.pk,
            detail={
                "run": run.pk,
                "table": table_name,
                "dataset": dataset.name,
                "hidden": table["suppressed"],
            },
            actor_label=actor_label,
        )
    return published


def simulate_demo(demo_survey: Any, *, actor_label: str = "chiiki demo load") -> SimulationSummary | None:
    """Answers for the demo census when `chiiki demo load` has just created it (about 10 s for ~8,900 households).

    A demo loaded before keeps its survey as it is; `chiiki survey simulate-responses --survey ID` fills it.
    """
    if demo_survey is None or not getattr(demo_survey, "created", False):
        return None
    return simulate_responses(demo_survey.survey, seed=2025, by=None, actor_label=actor_label)
