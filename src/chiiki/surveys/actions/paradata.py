"""Writing paradata: one call per thing that happened to a case (the answering pages, letters, reminders, visits).

    record_case_event(case, "login", by=actor, session=session_tag(...))
    record_case_event(case, "page_view", by=actor, page="household", seconds=42)
    record_case_event(case, "submitted", by=actor, mode="web")

Each is a plain insert made inside the transaction of the change it describes. The device class comes from the
actor's browser, the user from the actor; the session only as a tag (`chiiki.surveys.paradata.session_tag`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

from chiiki.core.acting import Actor
from chiiki.surveys.device import classify_device
from chiiki.surveys.models import CaseEvent, Survey, SurveyCase
from chiiki.surveys.paradata import LONGEST_PAGE_VIEW

__all__ = [
    "KINDS",
    "EventDetails",
    "case_event",
    "record_case_event",
    "record_letters_sent",
    "record_reminders_sent",
]

KINDS = frozenset(CaseEvent.Kind.values)


@dataclass(frozen=True, slots=True)
class EventDetails:
    """What an event may say besides its kind (each empty unless it applies)."""

    at: datetime | None = None
    session: str = ""
    page: str = ""
    seconds: float | None = None
    mode: str = ""
    channel: str = ""
    outcome: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


def case_event(case: SurveyCase, kind: str, *, by: Actor, details: EventDetails | None = None) -> CaseEvent:
    """An unsaved paradata event of `case`; raises ValueError for an unknown kind (a programming error)."""
    if kind not in KINDS:
        raise ValueError(f"unknown case event kind: {kind!r}")
    details = details or EventDetails()
    seconds = details.seconds
    if seconds is not None:
        seconds = min(max(0.0, float(seconds)), float(LONGEST_PAGE_VIEW))
    return CaseEvent(
        municipality_id=case.survey.municipality_id,
        survey_id=case.survey_id,
        case=case,
        kind=kind,
        at=details.at or timezone.now(),
        device_class=str(classify_device(by.user_agent or None)),
        session=details.session,
        page=details.page[:100],
        seconds=round(seconds) if seconds is not None else None,
        mode=details.mode[:12],
        channel=details.channel[:20],
        outcome=details.outcome,
        by_id=by.user.pk if by.user is not None else None,
        detail=details.detail,
    )


def record_case_event(case: SurveyCase, kind: str, *, by: Actor, **details: Any) -> CaseEvent:
    """Append one paradata event to `case`, done by `by` (its browser gives the device class).

    `details` are the fields of `EventDetails` (at, session, page, seconds, mode, channel, outcome, detail).
    Raises ValueError for an unknown kind (a programming error, not something to swallow).
    """
    event = case_event(case, kind, by=by, details=EventDetails(**details))
    event.save()
    return event


def record_letters_sent(
    survey: Survey, channels: Mapping[int, str], *, batch: str, by: Actor, at: datetime | None = None
) -> int:
    """Record one ``letter_sent`` event per case of a batch of request letters; return how many were added.

    `channels` maps case IDs to how the request went ("post" for a printed letter, "email", "sms", "inbox").
    Call it inside the transaction that records the batch, so the events and the batch are kept or lost
    together. `batch` names the batch in the events' detail: cases that already have an event of the same
    batch are skipped, so recording a batch twice adds nothing.
    """
    already = set(
        CaseEvent.objects.filter(
            survey=survey, kind=CaseEvent.Kind.LETTER_SENT, detail__batch=batch
        ).values_list("case_id", flat=True)
    )
    when = at or timezone.now()
    events = [
        CaseEvent(
            municipality_id=survey.municipality_id,
            survey_id=survey.pk,
            case_id=case_id,
            kind=CaseEvent.Kind.LETTER_SENT,
            at=when,
            channel=channel[:20],
            by_id=by.user.pk if by.user is not None else None,
            detail={"batch": batch},
        )
        for case_id, channel in sorted(channels.items())
        if case_id not in already
    ]
    CaseEvent.objects.bulk_create(events, batch_size=1000)
    return len(events)


def record_reminders_sent(
    cases: list[SurveyCase], channels: Mapping[int, str], *, round_number: int, day: int, by: Actor
) -> list[CaseEvent]:
    """Record one ``reminder_sent`` event per case (with the channel it went through) of one reminder round.

    Like letters, reminders carry no device class: the household did not use a device to receive them.
    """
    now = timezone.now()
    events = [
        CaseEvent(
            municipality_id=case.survey.municipality_id,
            survey_id=case.survey_id,
            case=case,
            kind=CaseEvent.Kind.REMINDER_SENT,
            at=now,
            channel=channels[case.pk][:20],
            by_id=by.user.pk if by.user is not None else None,
            detail={"round": round_number, "day": day},
        )
        for case in cases
    ]
    CaseEvent.objects.bulk_create(events)
    return events
