"""Answering a case: respondents signing in and choosing a password, pages saved, answers submitted.

Every change to an answer runs in one transaction on the locked Answer row (see `answering.drafts` for the
merge and conflict rules). Respondents act as `Actor.from_request(request, label=...)` named by their login ID;
supporters and enumerators act as themselves, and their changes to a household's answers are audited.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.core.actions import clear_login_failures, note_login_failure
from chiiki.surveys import queries
from chiiki.surveys.actions.checks import require_permission
from chiiki.surveys.actions.paradata import record_case_event
from chiiki.surveys.answering import tree
from chiiki.surveys.answering.drafts import (
    AnswerConflict,
    PostedPage,
    SaveResult,
    Seat,
    SubmitResult,
    apply_posted,
    choices_changed,
    evaluate,
    form_of,
    new_receipt_number,
    require_open,
    roster_change,
)
from chiiki.surveys.answering.sessions import end_session, start_session
from chiiki.surveys.models import Answer, CaseEvent, SurveyCase
from chiiki.surveys.paradata import SESSION_TAG_KEY
from chiiki.surveys.xlsform import Page

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase

__all__ = [
    "open_assisted_case",
    "refuse_sign_in",
    "save_page",
    "set_respondent_password",
    "sign_in_respondent",
    "submit_answers",
]


# ------------------------------------------------------------------------------------------ sign-in


@transaction.atomic
def sign_in_respondent(case: SurveyCase, *, by: Actor, session: SessionBase, device: str = "") -> None:
    """The writes of a successful sign-in, in one transaction (one commit): clear the failures counted for
    `by.label` (the throttle's name of the login ID) from this address or known `device`, start a new session,
    audit, paradata."""
    clear_login_failures(by.label, by.address, device=device)
    start_session(session, case)
    audit.record(
        "surveys.respondent_login",
        by=by,
        municipality=case.survey.municipality_id,
        object_type="survey_case",
        object_id=case.pk,
        detail={"with": "password" if case.password_hash else "access_key"},
    )
    # Paradata: device class, and the new session as a tag.
    record_case_event(case, CaseEvent.Kind.LOGIN, by=by, session=str(session[SESSION_TAG_KEY]))


def sign_out_respondent(case: SurveyCase, *, session: SessionBase) -> None:
    """Sign out: this session forgets the case, and every other session of the case (a copied cookie, another
    device) ends with it, because the sessions' HMAC covers the case's count of sign-outs."""
    SurveyCase.objects.filter(pk=case.pk).update(sign_outs=F("sign_outs") + 1)
    end_session(session)


@transaction.atomic
def refuse_sign_in(*, by: Actor, device: str = "") -> None:
    """Count a failed sign-in against `by.label` (the login ID's throttle name) and `by.address`; audit it.

    Nothing about the case is written, whether or not it exists: a write made only for real IDs would let
    response times tell which IDs exist.
    """
    note_login_failure(by.label, by.address, device=device)
    audit.record("surveys.respondent_login_failed", by=by)


def set_respondent_password(
    case: SurveyCase, encoded_password: str, *, by: Actor, session: SessionBase
) -> None:
    """Store the respondent's password hash and keep this session signed in; every other session ends.

    The caller hashes the password (Argon2 takes tens of milliseconds: not inside the transaction).
    """
    # The new session key is written in the same transaction: one commit, and never one without the other.
    with transaction.atomic():
        case.password_hash = encoded_password
        case.save(update_fields=["password_hash"])
        audit.record(
            "surveys.respondent_password_set",
            by=by,
            municipality=case.survey.municipality_id,
            object_type="survey_case",
            object_id=case.pk,
        )
        start_session(session, case)


@transaction.atomic
def open_assisted_case(case: SurveyCase, *, by: Actor) -> None:
    """A help-desk supporter opens a household's case by its login ID, with the respondent present."""
    require_permission(by, case.survey.municipality_id, "surveys.assist")
    audit.record(
        "surveys.assist_opened",
        by=by,
        municipality=case.survey.municipality_id,
        object_type="survey_case",
        object_id=case.pk,
        detail={"login_id": case.login_id},
    )
    record_case_event(case, CaseEvent.Kind.ASSISTED_OPENED, by=by)  # paradata


# ------------------------------------------------------------------------------------------ answers


def _locked_answer(case: SurveyCase) -> Answer:
    """The case's answer, locked for this transaction: one query when it exists, as it does after the first page.

    The first save inserts it (a row this transaction inserted is locked by the insert); when a concurrent first
    request inserted it meanwhile, the insert fails in its savepoint and the row is read and locked.
    """
    answer = queries.unique_row(Answer.objects.select_for_update().filter(case=case))
    if answer is not None:
        return answer
    try:
        with transaction.atomic():
            return Answer.objects.create(case=case)
    except IntegrityError:  # two first saves at once: the other one created it
        return Answer.objects.select_for_update().get(case=case)


def _mark(answer: Answer, seat: Seat, by: Actor) -> None:
    """Who answered: the mode, and the supporter or enumerator when staff answered with the household."""
    answer.mode = seat.mode
    if seat.by_staff and by.user is not None:
        answer.assisted_by = by.user


def _audit(seat: Seat, action: str, by: Actor, detail: dict[str, Any]) -> None:
    audit.record(
        action,
        by=by,
        municipality=seat.case.survey.municipality_id,
        object_type="survey_case",
        object_id=seat.case.pk,
        detail={"mode": seat.mode, **detail},
    )


def _merged(answer: Answer, page: Page, posted: PostedPage, seat: Seat) -> bool:
    """True when someone saved since the page was shown but left this page alone (their answers stay)."""
    if answer.version == posted.version:
        return False
    if tree.page_digest(answer.data, page) != posted.digest:
        raise AnswerConflict(seat.case.pk)
    return True


def _mark_started(case: SurveyCase) -> None:
    if case.status in (SurveyCase.Status.SAMPLED, SurveyCase.Status.ISSUED):
        SurveyCase.objects.filter(pk=case.pk, status=case.status).update(status=SurveyCase.Status.STARTED)


def save_page(
    seat: Seat,
    page: Page,
    posted: PostedPage,
    *,
    by: Actor,
    language: str = "ja",
    seconds: float | None = None,
    session: str = "",
) -> SaveResult:
    """Save the values posted from one page (and a roster row added or removed); return the new state.

    `seconds` (time on the page) and `session` (the session's tag) go into the paradata. Raises AnswerConflict
    when another save changed this page after it was shown (nothing is written), and AnsweringClosed outside
    the answering period.
    """
    require_open(seat.case.survey)
    form = form_of(seat.case.survey)
    with transaction.atomic():
        answer = _locked_answer(seat.case)
        merged = _merged(answer, page, posted, seat)
        data = copy.deepcopy(answer.data) if isinstance(answer.data, dict) else {}
        before = evaluate(form, data, language)
        apply_posted(form, page, data, posted.values, posted.shown, language, before)
        if posted.roster_action:
            roster_change(form, data, posted.roster_action, language)
        answer.data, answer.last_page, answer.updated_at = data, page.name, timezone.now()
        answer.version += 1
        _mark(answer, seat, by)
        answer.save()
        _mark_started(seat.case)
        _page_paradata(seat, page, by, seconds=seconds, session=session, paused=posted.paused)
        if seat.by_staff:
            # A supporter's change to a household's answers is a staff change of personal data.
            _audit(seat, "surveys.answer_saved", by, {"page": page.name, "version": answer.version})
    after = evaluate(form, data, language)
    return SaveResult(answer, after, merged, choices_changed(page, before, after))


def _page_paradata(
    seat: Seat, page: Page, by: Actor, *, seconds: float | None, session: str, paused: bool
) -> None:
    """Paradata of a saved page: time on the page and device class, and a pause when they stopped there."""
    record_case_event(
        seat.case,
        CaseEvent.Kind.PAGE_VIEW,
        by=by,
        session=session,
        page=page.name,
        seconds=seconds,
        mode=seat.mode,
    )
    if paused:
        record_case_event(
            seat.case, CaseEvent.Kind.SAVED, by=by, session=session, page=page.name, mode=seat.mode
        )


def submit_answers(
    seat: Seat, *, version: int, by: Actor, language: str = "ja", session: str = ""
) -> SubmitResult:
    """Submit the draft at `version`: validate every page, keep the canonical record, give a receipt number.

    Submitting the version already submitted returns the same receipt without writing (a double click or a
    reloaded page). A different version than the current one raises AnswerConflict. Returns accepted=False
    with the evaluation when some answer is missing or invalid.
    """
    require_open(seat.case.survey)
    form = form_of(seat.case.survey)
    with transaction.atomic():
        answer = _locked_answer(seat.case)
        evaluation = evaluate(form, answer.data, language)
        if answer.submitted_version == version:
            return SubmitResult(answer, evaluation, accepted=True, repeated=True)
        if answer.version != version:
            raise AnswerConflict(seat.case.pk)
        if not evaluation.valid:
            return SubmitResult(answer, evaluation, accepted=False)
        correction = answer.submitted_at is not None
        now = timezone.now()
        filled = evaluate(form, answer.data, language, _metadata(seat.case, answer, now, session))
        answer.submitted_data = tree.canonical_answers(filled)
        answer.submitted_at = now
        answer.submitted_version = answer.version
        answer.submissions += 1
        _mark(answer, seat, by)
        if answer.receipt_number is None:
            answer.receipt_number = _unused_receipt_number()
        answer.save()
        SurveyCase.objects.filter(pk=seat.case.pk).update(status=SurveyCase.Status.SUBMITTED)
        record_case_event(seat.case, CaseEvent.Kind.SUBMITTED, by=by, session=session, mode=seat.mode)
        action = "surveys.answer_corrected" if correction else "surveys.answer_submitted"
        _audit(seat, action, by, {"version": answer.version, "receipt": answer.receipt_number})
    return SubmitResult(answer, evaluation, accepted=True)


def _metadata(case: SurveyCase, answer: Answer, now: Any, session: str) -> dict[str, str]:
    """What the server fills into an XLSForm's metadata questions at submission: ``start`` is when the
    first page was saved, ``end`` this submission, ``username`` the household's login ID, ``deviceid``
    the answering session's tag. Phone number, e-mail and SIM data are not known: they stay empty."""
    local = timezone.localtime
    return {
        "start": local(answer.started_at).isoformat(timespec="seconds"),
        "end": local(now).isoformat(timespec="seconds"),
        "username": case.login_id,
        "deviceid": session,
    }


def _unused_receipt_number() -> str:
    while True:
        number = new_receipt_number()
        if not Answer.objects.filter(receipt_number=number).exists():
            return number
