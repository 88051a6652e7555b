"""Recording paradata: one call per thing that happened to a case (the answering pages, letters, reminders, visits).

    from chiiki.fieldwork.paradata import record_case_event
    record_case_event(case, "login", request=request)
    record_case_event(case, "page_view", request=request, page="household", seconds=42)
    record_case_event(case, "submitted", request=request, mode="web")

Time on a page: put `page_shown_token(page)` in the page's form as the hidden field `SHOWN_FIELD` when the page is
sent, and call `seconds_on_page(request, page)` when it comes back. The send time travels signed in the form, so
showing a page writes nothing (no session update per page view), two tabs keep their own times, and no JavaScript
is needed.

Paradata never hold answers or keys: the session is kept only as a short hash, the browser only as its class.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.utils import timezone

from chiiki.fieldwork.device import classify_device
from chiiki.fieldwork.models import CaseEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.http import HttpRequest

    from chiiki.surveys.models import Survey, SurveyCase

__all__ = [
    "KINDS",
    "SHOWN_FIELD",
    "case_event",
    "page_shown_token",
    "record_case_event",
    "record_letters_sent",
    "seconds_on_page",
    "session_tag",
]

KINDS = frozenset(CaseEvent.Kind.values)
_LONGEST_PAGE_VIEW = 6 * 60 * 60  # a tab left open overnight says nothing about the time a page takes


SHOWN_FIELD = "shown_at"  # the hidden form field that carries page_shown_token
_SHOWN_SALT = "chiiki.fieldwork.page-shown"


def page_shown_token(page: str) -> str:
    """A signed note that `page` is being sent now, for the page form's hidden SHOWN_FIELD."""
    return signing.dumps([page, time.time()], salt=_SHOWN_SALT)


def seconds_on_page(request: HttpRequest, page: str) -> float | None:
    """Seconds since `page` was sent, read from the posted token; None when it is missing, forged or another page's."""
    token = request.POST.get(SHOWN_FIELD, "")
    try:
        shown = signing.loads(token, salt=_SHOWN_SALT) if token else None
    except signing.BadSignature:
        return None
    if not isinstance(shown, list) or len(shown) != 2 or shown[0] != page:
        return None
    try:
        return max(0.0, time.time() - float(shown[1]))
    except (TypeError, ValueError):
        return None


def session_tag(session_key: str | None) -> str:
    """A short, non-reversible tag of a session key: groups events into sessions without storing the key."""
    if not session_key:
        return ""
    return hashlib.sha256(session_key.encode()).hexdigest()[:16]


def case_event(
    case: SurveyCase,
    kind: str,
    *,
    request: HttpRequest | None = None,
    user_agent: str | None = None,
    at: datetime | None = None,
    page: str = "",
    seconds: float | None = None,
    mode: str = "",
    channel: str = "",
    outcome: str = "",
    by: AbstractBaseUser | AnonymousUser | None = None,
    detail: dict[str, Any] | None = None,
) -> CaseEvent:
    """An unsaved paradata event of `case` (for bulk_create); see record_case_event for the arguments."""
    if kind not in KINDS:
        raise ValueError(f"unknown case event kind: {kind!r}")
    agent = user_agent
    session = ""
    if request is not None:
        agent = agent if agent is not None else request.META.get("HTTP_USER_AGENT", "")
        session_store = getattr(request, "session", None)
        session = session_tag(session_store.session_key if session_store is not None else None)
        user = getattr(request, "user", None)
        if by is None and user is not None and user.is_authenticated:
            by = user
    if seconds is not None:
        seconds = min(max(0.0, float(seconds)), float(_LONGEST_PAGE_VIEW))
    return CaseEvent(
        municipality_id=case.survey.municipality_id,
        survey_id=case.survey_id,
        case=case,
        kind=kind,
        at=at or timezone.now(),
        device_class=str(classify_device(agent)),
        session=session,
        page=page[:100],
        seconds=round(seconds) if seconds is not None else None,
        mode=mode[:12],
        channel=channel[:20],
        outcome=outcome,
        by_id=by.pk if by is not None and by.is_authenticated else None,
        detail=detail or {},
    )


def record_case_event(
    case: SurveyCase,
    kind: str,
    *,
    request: HttpRequest | None = None,
    user_agent: str | None = None,
    at: datetime | None = None,
    page: str = "",
    seconds: float | None = None,
    mode: str = "",
    channel: str = "",
    outcome: str = "",
    by: AbstractBaseUser | AnonymousUser | None = None,
    detail: dict[str, Any] | None = None,
) -> CaseEvent:
    """Append one paradata event to `case`. With `request`, the device class and session tag come from it.

    Raises ValueError for an unknown kind (a programming error, not something to swallow).
    """
    event = case_event(
        case,
        kind,
        request=request,
        user_agent=user_agent,
        at=at,
        page=page,
        seconds=seconds,
        mode=mode,
        channel=channel,
        outcome=outcome,
        by=by,
        detail=detail,
    )
    event.save()
    return event


def record_letters_sent(
    survey: Survey,
    channels: Mapping[int, str],
    *,
    batch: str,
    by: AbstractBaseUser | AnonymousUser | None = None,
    at: datetime | None = None,
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
    user_id = by.pk if by is not None and by.is_authenticated else None
    events = [
        CaseEvent(
            municipality_id=survey.municipality_id,
            survey_id=survey.pk,
            case_id=case_id,
            kind=CaseEvent.Kind.LETTER_SENT,
            at=when,
            channel=channel[:20],
            by_id=user_id,
            detail={"batch": batch},
        )
        for case_id, channel in sorted(channels.items())
        if case_id not in already
    ]
    CaseEvent.objects.bulk_create(events, batch_size=1000)
    return len(events)
