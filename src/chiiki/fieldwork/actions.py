"""Changes made by fieldwork: follow-up lists, visit outcomes, reminder schedules and reminders.

Each runs in one transaction and writes its audit record.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.models import Municipality
from chiiki.core.permissions import has_permission
from chiiki.fieldwork import queries
from chiiki.fieldwork.balancing import DistrictWork, balance
from chiiki.fieldwork.models import (
    FINAL_OUTCOMES,
    CaseEvent,
    FollowUpArea,
    FollowUpAssignment,
    ReminderSchedule,
    VisitOutcome,
)
from chiiki.fieldwork.paradata import case_event, record_case_event
from chiiki.surveys.models import Survey, SurveyCase

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.http import HttpRequest

    Actor = AbstractBaseUser | AnonymousUser | None


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


def _require(by: Actor, municipality: Municipality | str, permission: str) -> None:
    """Staff must hold `permission`; `by=None` means a command or task run by the operator."""
    if by is not None and not has_permission(by, municipality, permission):
        raise PermissionDenied(f"この操作の権限がありません ({permission} required)")


# --- non-response follow-up ------------------------------------------------------------------------------------


def _open_load(municipality: Municipality, enumerator_ids: list[int], survey: Survey) -> dict[int, int]:
    """Households still to visit that each enumerator already has in other running surveys."""
    rows = (
        FollowUpAssignment.objects.filter(
            municipality=municipality,
            area__enumerator_id__in=enumerator_ids,
            area__survey__closes_at__gt=timezone.now(),
        )
        .exclude(area__survey=survey)
        .exclude(outcome__in=FINAL_OUTCOMES)
        .exclude(queries.submitted_q_for_assignment())
        .values_list("area__enumerator_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {int(enumerator): int(n) for enumerator, n in rows}


@transaction.atomic
def build_follow_up(
    survey: Survey,
    *,
    by: Actor,
    today: date | None = None,
    rebuild: bool = False,
    actor_label: str = "",
) -> FollowUpSummary:
    """Put every household without a submitted answer on an enumerator's list, balanced by workload.

    Only from the survey's follow-up date on. A second build needs `rebuild`, which replaces the lists (visits
    already recorded stay in the paradata).
    """
    survey = Survey.objects.select_for_update().select_related("municipality").get(pk=survey.pk)
    municipality = survey.municipality
    _require(by, municipality, "surveys.manage")
    today = today or timezone.localdate()
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
    existing = FollowUpArea.objects.filter(survey=survey)
    history: dict[int, dict[str, Any]] = {}
    if existing.exists():
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
    staff = list(queries.enumerators(municipality))
    if not staff:
        raise FieldworkError(
            f"{municipality.display_name} に統計調査員の役割を持つ職員がいません (no enumerators in this municipality)"
        )
    cases = queries.non_responders(survey).select_related("household")
    by_district: dict[int, list[tuple[str, str, int]]] = {}
    for case in cases:
        household = case.household
        by_district.setdefault(household.district_id, []).append(
            (household.address, household.household_code, case.pk)
        )
    work = [
        DistrictWork(district_id, tuple(case_id for _a, _c, case_id in sorted(rows)))
        for district_id, rows in sorted(by_district.items())
    ]
    ids = [user.pk for user in staff]
    areas = balance(work, ids, current_load=_open_load(municipality, ids, survey))
    names = {user.pk: str(user) for user in staff}
    summaries: list[AreaSummary] = []
    number = 0
    for area in areas:
        if not area.households:
            continue
        number += 1
        record = FollowUpArea.objects.create(
            municipality=municipality, survey=survey, number=number, enumerator_id=area.enumerator_id
        )
        record.districts.set(area.district_ids)
        FollowUpAssignment.objects.bulk_create(
            (
                FollowUpAssignment(
                    municipality=municipality,
                    area=record,
                    case_id=case_id,
                    position=position,
                    **history.get(case_id, {}),
                )
                for position, case_id in enumerate(area.households, start=1)
            ),
            batch_size=1000,
        )
        summaries.append(AreaSummary(number, names[area.enumerator_id], area.load, len(area.district_ids)))
    total = sum(len(d.households) for d in work)
    audit.record(
        "fieldwork.follow_up_build",
        actor=by,
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
        actor_label=actor_label,
    )
    return FollowUpSummary(non_responders=total, areas=summaries)


@transaction.atomic
def record_visit(
    assignment: FollowUpAssignment,
    outcome: str,
    *,
    by: AbstractBaseUser,
    note: str = "",
    request: HttpRequest | None = None,
) -> CaseEvent:
    """Record the outcome of a visit to an assigned household; only its own enumerator may."""
    assignment = (
        FollowUpAssignment.objects.select_for_update()
        .select_related("area", "case__survey")
        .get(pk=assignment.pk)
    )
    if assignment.area.enumerator_id != by.pk or not has_permission(
        by, assignment.municipality_id, "surveys.fieldwork"
    ):
        raise PermissionDenied("担当していない世帯です (not your assignment)")
    if outcome not in VisitOutcome.values:
        raise FieldworkError(f"訪問結果が正しくありません: {outcome!r} (unknown outcome)")
    event = record_case_event(
        assignment.case,
        CaseEvent.Kind.VISIT,
        request=request,
        by=by,
        outcome=outcome,
        mode="enumerator",
        detail={"note": note[:500]} if note else None,
    )
    assignment.outcome = outcome
    assignment.outcome_at = event.at
    assignment.visits += 1
    assignment.save(update_fields=["outcome", "outcome_at", "visits"])
    audit.record(
        "fieldwork.visit_record",
        actor=by,
        municipality=assignment.municipality_id,
        request=request,
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
def set_reminder_schedule(
    survey: Survey, days: Iterable[int], *, by: Actor, actor_label: str = ""
) -> ReminderSchedule:
    """Set the days after opening on which non-responders are reminded."""
    _require(by, survey.municipality_id, "surveys.manage")
    chosen = sorted(set(days))
    if any(not 1 <= d <= 365 for d in chosen):
        raise FieldworkError("督促の日は 1〜365 の整数で書いてください (days must be 1-365)")
    schedule, _ = ReminderSchedule.objects.update_or_create(
        survey=survey,
        defaults={
            "days_after_opening": chosen,
            "updated_at": timezone.now(),
            "updated_by_id": by.pk if by is not None and by.is_authenticated else None,
        },
    )
    audit.record(
        "fieldwork.reminder_schedule_set",
        actor=by,
        municipality=survey.municipality_id,
        object_type="survey",
        object_id=survey.pk,
        detail={"days_after_opening": chosen},
        actor_label=actor_label,
    )
    return schedule


# (survey, cases, round number, actor label) -> the channel each case's reminder went through, by case id.
Sender = Callable[[Survey, list[SurveyCase], int, str], dict[int, str]]
NO_CONTACT = "outbox"  # recorded as due, nothing sent electronically: the household gets the postal reminder


def outbox_only(
    survey: Survey, cases: list[SurveyCase], round_number: int, actor_label: str
) -> dict[int, str]:
    """Record the reminders without sending anything (no notifier, or no electronic contact)."""
    return {case.pk: NO_CONTACT for case in cases}


def notifier_sender() -> Sender:
    """Reminders through the surveys notifier (chiiki.surveys.notify) when it is installed, else outbox_only.

    A reminder goes the way the request reached the household: the channel and address of its last
    electronic request in the notifier's outbox. Households whose request came only by post have no such
    address; they are recorded with channel "outbox" for the postal reminder.
    """
    try:
        notify: Any = importlib.import_module("chiiki.surveys.notify")
        outbox: Any = django_apps.get_model("surveys", "NotificationOutbox")
    except (ImportError, LookupError):
        return outbox_only
    queue = getattr(notify, "queue_notifications", None)
    recipient = getattr(notify, "Recipient", None)
    if not callable(queue) or recipient is None:
        return outbox_only

    def deliver(
        survey: Survey, cases: list[SurveyCase], round_number: int, actor_label: str
    ) -> dict[int, str]:
        contacts: dict[int, tuple[str, str]] = {}
        requests = (
            outbox.objects.filter(case__in=cases, kind="request")
            .exclude(recipient="")
            .order_by("created_at", "id")
            .values_list("case_id", "channel", "recipient")
        )
        for case_id, channel, to in requests:
            contacts[case_id] = (channel, to)  # the latest request wins
        reachable = [case for case in cases if case.pk in contacts]
        if reachable:
            queue(
                survey,
                [recipient(case=c, channel=contacts[c.pk][0], to=contacts[c.pk][1]) for c in reachable],
                kind="reminder",
                actor_label=actor_label or "fieldwork reminders",
            )
        return {case.pk: contacts[case.pk][0] if case.pk in contacts else NO_CONTACT for case in cases}

    return deliver


def _chunks(cases: Iterable[SurveyCase], size: int) -> Iterable[list[SurveyCase]]:
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


def send_reminders(
    survey: Survey,
    *,
    by: Actor,
    today: date | None = None,
    sender: Sender | None = None,
    actor_label: str = "",
) -> ReminderSummary:
    """Remind every household that has not answered, once per scheduled round (the latest one due today).

    Households that answered, refused or were found vacant get nothing; a household already sent this round
    is skipped, so running it twice a day sends nothing twice. Reminders are sent in chunks, each in its own
    transaction, so a failure half way keeps what was sent and a second run completes the rest.
    """
    survey = Survey.objects.select_related("municipality").get(pk=survey.pk)
    _require(by, survey.municipality, "surveys.manage")
    today = today or timezone.localdate()
    schedule = ReminderSchedule.objects.filter(survey=survey).first()
    deliver = sender or notifier_sender()
    channel_hint = NO_CONTACT if deliver is outbox_only else "notifier"
    if schedule is None or not schedule.days_after_opening:
        return ReminderSummary(None, 0, channel_hint, "督促の予定がありません (no reminder schedule)")
    if today > timezone.localtime(survey.closes_at).date():
        return ReminderSummary(None, 0, channel_hint, "回答受付は終わっています (the survey is closed)")
    due = due_round(survey, list(schedule.days_after_opening), today)
    if due is None:
        return ReminderSummary(None, 0, channel_hint, "まだ督促の日ではありません (no reminder due yet)")
    number, day = due
    already = CaseEvent.objects.filter(
        survey=survey, kind=CaseEvent.Kind.REMINDER_SENT, detail__round=number
    ).values("case_id")
    recipients = (
        queries.non_responders(survey)
        .exclude(status=SurveyCase.Status.SAMPLED)  # no letter yet: nothing to remind of
        .exclude(follow_up__outcome__in=[VisitOutcome.REFUSED, VisitOutcome.VACANT])
        .exclude(pk__in=already)
        .select_related("survey")
        .order_by("id")
    )
    channels: Counter[str] = Counter()
    for chunk in _chunks(recipients.iterator(chunk_size=500), 500):
        # One transaction per chunk: the notifier's messages and our events are kept or lost together.
        with transaction.atomic():
            sent = deliver(survey, chunk, number, actor_label)
            events = [
                case_event(
                    case,
                    CaseEvent.Kind.REMINDER_SENT,
                    channel=sent.get(case.pk, NO_CONTACT),
                    detail={"round": number, "day": day},
                )
                for case in chunk
            ]
            CaseEvent.objects.bulk_create(events)
            channels.update(event.channel for event in events)
    audit.record(
        "fieldwork.reminders_send",
        actor=by,
        municipality=survey.municipality,
        object_type="survey",
        object_id=survey.pk,
        detail={"round": number, "day": day, "sent": sum(channels.values()), "channels": dict(channels)},
        actor_label=actor_label,
    )
    main = channels.most_common(1)[0][0] if channels else channel_hint
    return ReminderSummary(number, sum(channels.values()), main)
