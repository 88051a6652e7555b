"""Changes made by fieldwork: follow-up lists, visit outcomes, reminder schedules and reminders.

Each takes `by: Actor`, runs in one transaction (reminders: one per chunk) and writes its audit record. Visits
and reminders are also paradata of the case, written through the surveys app's paradata actions.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.core.permissions import has_permission
from chiiki.fieldwork import queries
from chiiki.fieldwork.balancing import Area, balance
from chiiki.fieldwork.models import DashboardSnapshot, FollowUpArea, FollowUpAssignment, ReminderSchedule
from chiiki.surveys import actions as survey_actions
from chiiki.surveys import queries as survey_queries
from chiiki.surveys.actions import require_permission
from chiiki.surveys.contact.notifier import Recipient
from chiiki.surveys.models import CaseEvent, NotificationOutbox, Survey, SurveyCase, VisitOutcome


class FieldworkError(ValueError):
    """A fieldwork action that cannot be done as asked; the message says why, Japanese first."""


@dataclass(frozen=True, slots=True)
class AreaSummary:
    number: int
    enumerator: str
    households: int
    districts: int


@dataclass(frozen=True, slots=True)
class FollowUpSummary:
    non_responders: int
    areas: list[AreaSummary]


@dataclass(frozen=True, slots=True)
class ReminderSummary:
    round: int | None
    sent: int
    channel: str
    reason: str = ""


# --- non-response follow-up ------------------------------------------------------------------------------------


def _check_follow_up_day(survey: Survey, today: date) -> None:
    if survey.follow_up_on is None:
        raise FieldworkError(
            f"調査 {survey.pk} には訪問開始日が設定されていません (the survey has no follow-up date)"
        )
    if today < survey.follow_up_on:
        raise FieldworkError(
            f"訪問開始日 {survey.follow_up_on} より前には作れません (follow-up starts on {survey.follow_up_on})"
        )
    if today > timezone.localtime(survey.closes_at).date():
        raise FieldworkError(f"調査 {survey.pk} の回答受付は終わっています (the survey is closed)")


def _clear_lists(survey: Survey, *, rebuild: bool) -> dict[int, dict[str, Any]]:
    """Remove the survey's lists before a rebuild; return what enumerators found, by case, to keep it."""
    existing = FollowUpArea.objects.filter(survey=survey)
    if not existing.exists():
        return {}
    if not rebuild:
        raise FieldworkError(
            f"調査 {survey.pk} の訪問リストは作成済みです。作り直すには --rebuild を指定してください "
            "(follow-up lists exist; use --rebuild)"
        )
    old = FollowUpAssignment.objects.filter(area__survey=survey)
    # What enumerators found out stays with the household when the lists are redrawn.
    history = {
        a.case_id: {"outcome": a.outcome, "outcome_at": a.outcome_at, "visits": a.visits}
        for a in old.filter(visits__gt=0)
    }
    old.delete()
    existing.delete()
    return history


def _create_area(survey: Survey, number: int, area: Area, history: dict[int, dict[str, Any]]) -> FollowUpArea:
    """One enumerator district and its households in visiting order (with what earlier visits found)."""
    record = FollowUpArea.objects.create(
        municipality=survey.municipality, survey=survey, number=number, enumerator_id=area.enumerator_id
    )
    record.districts.set(area.district_ids)
    FollowUpAssignment.objects.bulk_create(
        (
            FollowUpAssignment(
                municipality=survey.municipality,
                area=record,
                case_id=case_id,
                position=position,
                **history.get(case_id, {}),
            )
            for position, case_id in enumerate(area.households, start=1)
        ),
        batch_size=1000,
    )
    return record


@transaction.atomic
def build_follow_up(
    survey: Survey, *, by: Actor, today: date | None = None, rebuild: bool = False
) -> FollowUpSummary:
    """Put every household without a submitted answer on an enumerator's list, balanced by workload.

    Only from the survey's follow-up date on. A second build needs `rebuild`, which replaces the lists (visits
    already recorded stay in the paradata).
    """
    survey = Survey.objects.select_for_update().select_related("municipality").get(pk=survey.pk)
    municipality = survey.municipality
    require_permission(by, municipality, "surveys.manage")
    _check_follow_up_day(survey, today or timezone.localdate())
    history = _clear_lists(survey, rebuild=rebuild)
    staff = list(queries.enumerators(municipality))
    if not staff:
        raise FieldworkError(
            f"{municipality.display_name} に統計調査員の役割を持つ職員がいません (no enumerators in this municipality)"
        )
    work = queries.district_work(survey)
    ids = [user.pk for user in staff]
    areas = balance(work, ids, current_load=queries.open_load(municipality, ids, survey))
    names = {user.pk: str(user) for user in staff}
    summaries: list[AreaSummary] = []
    for number, area in enumerate((area for area in areas if area.households), start=1):
        _create_area(survey, number, area, history)
        summaries.append(AreaSummary(number, names[area.enumerator_id], area.load, len(area.district_ids)))
    total = sum(len(d.households) for d in work)
    audit.record(
        "fieldwork.follow_up_build",
        by=by,
        municipality=municipality,
        object_type="survey",
        object_id=survey.pk,
        detail={
            "non_responders": total,
            "rebuild": rebuild,
            "areas": [
                {"number": s.number, "enumerator": s.enumerator, "households": s.households}
                for s in summaries
            ],
        },
    )
    return FollowUpSummary(non_responders=total, areas=summaries)


@transaction.atomic
def record_visit(assignment: FollowUpAssignment, outcome: str, *, by: Actor, note: str = "") -> CaseEvent:
    """Record the outcome of a visit to an assigned household; only its own enumerator may."""
    assignment = (
        FollowUpAssignment.objects.select_for_update()
        .select_related("area", "case__survey")
        .get(pk=assignment.pk)
    )
    if (
        by.user is None
        or assignment.area.enumerator_id != by.user.pk
        or not has_permission(by.user, assignment.municipality_id, "surveys.fieldwork")
    ):
        raise PermissionDenied("担当していない世帯です (not your assignment)")
    if outcome not in VisitOutcome.values:
        raise FieldworkError(f"訪問結果が正しくありません: {outcome!r} (unknown outcome)")
    event = survey_actions.record_case_event(
        assignment.case,
        CaseEvent.Kind.VISIT,
        by=by,
        outcome=outcome,
        mode="enumerator",
        detail={"note": note[:500]} if note else {},
    )
    assignment.outcome = outcome
    assignment.outcome_at = event.at
    assignment.visits += 1
    assignment.save(update_fields=["outcome", "outcome_at", "visits"])
    audit.record(
        "fieldwork.visit_record",
        by=by,
        municipality=assignment.municipality_id,
        object_type="survey_case",
        object_id=assignment.case_id,
        detail={"outcome": outcome, "assignment": assignment.pk},
    )
    return event


# --- reminders -------------------------------------------------------------------------------------------------


def parse_days(text: str) -> list[int]:
    """'7, 14,21' -> [7, 14, 21]: distinct whole days after opening, in order."""
    days: set[int] = set()
    for part in text.replace("、", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= 365:
            raise FieldworkError(
                f"督促の日は 1〜365 の整数で書いてください: {part!r} (days must be whole numbers 1-365)"
            )
        days.add(int(part))
    return sorted(days)


@transaction.atomic
def set_reminder_schedule(survey: Survey, days: Iterable[int], *, by: Actor) -> ReminderSchedule:
    """Set the days after opening on which non-responders are reminded."""
    require_permission(by, survey.municipality_id, "surveys.manage")
    chosen = sorted(set(days))
    if any(not 1 <= d <= 365 for d in chosen):
        raise FieldworkError("督促の日は 1〜365 の整数で書いてください (days must be 1-365)")
    schedule, _ = ReminderSchedule.objects.update_or_create(
        survey=survey,
        defaults={"days_after_opening": chosen, "updated_at": timezone.now(), "updated_by": by.user},
    )
    audit.record(
        "fieldwork.reminder_schedule_set",
        by=by,
        municipality=survey.municipality_id,
        object_type="survey",
        object_id=survey.pk,
        detail={"days_after_opening": chosen},
    )
    return schedule


# (survey, cases, round number, who sends) -> the channel each case's reminder went through, by case id.
Sender = Callable[[Survey, list[SurveyCase], int, Actor], dict[int, str]]
NO_CONTACT = "outbox"  # recorded as due, nothing sent electronically: the household gets the postal reminder


def outbox_only(survey: Survey, cases: list[SurveyCase], round_number: int, by: Actor) -> dict[int, str]:
    """Record the reminders without sending anything (no electronic contact for anyone)."""
    return {case.pk: NO_CONTACT for case in cases}


def through_notifier(survey: Survey, cases: list[SurveyCase], round_number: int, by: Actor) -> dict[int, str]:
    """Reminders through the surveys notifier, the way the request reached the household.

    A reminder goes by the channel and address of the household's last electronic request in the notifier's
    outbox. Households whose request came only by post have no such address; they are recorded with channel
    "outbox" for the postal reminder.
    """
    contacts = survey_queries.electronic_contacts(cases)
    reachable = [case for case in cases if case.pk in contacts]
    if reachable:
        survey_actions.queue_notifications(
            survey,
            [Recipient(case=c, channel=contacts[c.pk][0], to=contacts[c.pk][1]) for c in reachable],
            kind=NotificationOutbox.Kind.REMINDER,
            by=by,
        )
    return {case.pk: contacts[case.pk][0] if case.pk in contacts else NO_CONTACT for case in cases}


def _chunks(cases: Iterable[SurveyCase], size: int) -> Iterator[list[SurveyCase]]:
    chunk: list[SurveyCase] = []
    for case in cases:
        chunk.append(case)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def due_round(survey: Survey, days: list[int], today: date) -> tuple[int, int] | None:
    """(round number, day) of the latest reminder due on `today`, or None when none is due yet."""
    opened = timezone.localtime(survey.opens_at).date()
    due = [
        (number, day)
        for number, day in enumerate(sorted(days), start=1)
        if opened + timedelta(days=day) <= today
    ]
    return due[-1] if due else None


def _why_no_round(survey: Survey, today: date) -> str | tuple[int, int]:
    """The round due today as (number, day), or why there is none."""
    schedule = ReminderSchedule.objects.filter(survey=survey).first()
    if schedule is None or not schedule.days_after_opening:
        return "督促の予定がありません (no reminder schedule)"
    if today > timezone.localtime(survey.closes_at).date():
        return "回答受付は終わっています (the survey is closed)"
    due = due_round(survey, list(schedule.days_after_opening), today)
    return due if due is not None else "まだ督促の日ではありません (no reminder due yet)"


def send_reminders(
    survey: Survey, *, by: Actor, today: date | None = None, sender: Sender | None = None
) -> ReminderSummary:
    """Remind every household that has not answered, once per scheduled round (the latest one due today).

    Households that answered, refused or were found vacant get nothing; a household already sent this round
    is skipped, so running it twice a day sends nothing twice. Reminders are sent in chunks, each in its own
    transaction, so a failure half way keeps what was sent and a second run completes the rest.
    """
    survey = Survey.objects.select_related("municipality").get(pk=survey.pk)
    require_permission(by, survey.municipality, "surveys.manage")
    deliver = sender or through_notifier
    channel_hint = NO_CONTACT if deliver is outbox_only else "notifier"
    due = _why_no_round(survey, today or timezone.localdate())
    if isinstance(due, str):
        return ReminderSummary(None, 0, channel_hint, due)
    number, day = due
    channels: Counter[str] = Counter()
    for chunk in _chunks(queries.reminder_recipients(survey, number).iterator(chunk_size=500), 500):
        # One transaction per chunk: the notifier's messages and our events are kept or lost together.
        with transaction.atomic():
            sent = deliver(survey, chunk, number, by)
            sent = {case.pk: sent.get(case.pk, NO_CONTACT) for case in chunk}
            survey_actions.record_reminders_sent(chunk, sent, round_number=number, day=day, by=by)
            channels.update(sent.values())
    audit.record(
        "fieldwork.reminders_send",
        by=by,
        municipality=survey.municipality,
        object_type="survey",
        object_id=survey.pk,
        detail={"round": number, "day": day, "sent": sum(channels.values()), "channels": dict(channels)},
    )
    main = channels.most_common(1)[0][0] if channels else channel_hint
    return ReminderSummary(number, sum(channels.values()), main)


# --- dashboard snapshots of large surveys -----------------------------------------------------------------------


def request_dashboard_refresh(survey: Survey, *, by: Actor) -> bool:
    """Ask the worker for a new aggregation of a large survey's dashboard, unless one is already asked for.

    One refresh waits at a time (a conditional UPDATE on ``requested_at``); a request older than twice the allowed
    age (a worker that died mid-way) is replaced. Returns True when this call queued the refresh.
    """
    require_permission(by, survey.municipality, "surveys.manage")
    from chiiki.fieldwork import tasks  # the tasks module imports these actions

    now = timezone.now()
    lost = now - timedelta(seconds=2 * settings.CHIIKI_DASHBOARD_MAX_AGE_SECONDS)
    with transaction.atomic():
        DashboardSnapshot.objects.get_or_create(survey=survey)
        claimed = (
            DashboardSnapshot.objects.filter(survey=survey)
            .filter(Q(requested_at__isnull=True) | Q(requested_at__lt=lost))
            .update(requested_at=now)
        )
        if claimed:
            tasks.enqueue_dashboard_refresh(survey.pk)
    return bool(claimed)


def refresh_dashboard(survey: Survey, *, by: Actor) -> DashboardSnapshot:
    """Aggregate the survey's dashboard now and keep it as its snapshot (the worker's job for large surveys)."""
    require_permission(by, survey.municipality, "surveys.manage")
    started = time.perf_counter()
    board = queries.dashboard(survey)
    data = queries.dashboard_to_data(board)
    with transaction.atomic():
        snapshot, _created = DashboardSnapshot.objects.select_for_update().get_or_create(survey=survey)
        snapshot.data = data
        snapshot.computed_at = timezone.now()
        snapshot.seconds = round(time.perf_counter() - started, 3)
        snapshot.requested_at = None
        snapshot.save()
    return snapshot
