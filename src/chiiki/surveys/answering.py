"""Answering a case: saving pages, roster rows, review and submission, for respondents and supporters.

Every change runs in one transaction on the locked Answer row. A save names the version it was read at and
the fingerprint of the page as it was shown: when someone else saved in between, the save still goes
through if that person did not touch this page (their answers and ours are merged), and otherwise it is
refused with AnswerConflict so that nobody's answers are overwritten silently. A submission must name the
current version exactly; submitting the same version twice returns the first receipt (idempotent).
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.fieldwork.paradata import record_case_event, seconds_on_page
from chiiki.surveys import answer_tree
from chiiki.surveys.credentials import ACCESS_KEY_ALPHABET
from chiiki.surveys.models import Answer, Survey, SurveyCase
from chiiki.surveys.xlsform import Evaluation, Form, Page, Section, evaluate_answers

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.http import HttpRequest

RECEIPT_LENGTH = 12
MAX_TEXT = 4000  # characters kept of one answer: a long free-text remark fits, a flood does not
MAX_CHOICES = 200


class AnswerConflict(RuntimeError):
    """Someone else saved this page (or the whole answer, for a submission) after it was shown."""


class AnsweringClosed(RuntimeError):
    """The survey's answering period has not started or is over."""


@dataclass(frozen=True, slots=True)
class Seat:
    """Who is answering a case: the respondent on the web, or a supporter sitting with them."""

    case: SurveyCase
    mode: str = Answer.Mode.WEB
    supporter: AbstractBaseUser | None = None

    @property
    def label(self) -> str:
        """The audit label of a respondent (their case's login ID); supporters are recorded as users."""
        return f"respondent:{self.case.login_id}"


@dataclass(frozen=True, slots=True)
class SaveResult:
    answer: Answer
    evaluation: Evaluation
    merged: bool
    choices_changed: tuple[str, ...] = ()
    """Keys on the page whose filtered choices differ from those shown (an answer on the page changed them)."""


_FORMS: dict[tuple[int, str], Form] = {}


def form_of(survey: Survey) -> Form:
    """The survey's questionnaire as a Form, parsed once per process (a version in use never changes)."""
    version = survey.questionnaire_version
    key = (version.pk, version.source_sha256)
    form = _FORMS.get(key)
    if form is None:
        if len(_FORMS) > 64:
            _FORMS.clear()
        form = _FORMS[key] = Form.from_json(version.definition)
    return form


def period_state(survey: Survey, now: datetime | None = None) -> str:
    """ "before", "open" or "closed" for the survey's answering period."""
    now = now or timezone.now()
    if now < survey.opens_at:
        return "before"
    if now >= survey.closes_at:
        return "closed"
    return "open"


def page_named(form: Form, name: str) -> Page | None:
    """The page called `name`, if the form has it."""
    return next((page for page in form.pages() if page.name == name), None)


def evaluate(form: Form, data: Mapping[str, Any], language: str) -> Evaluation:
    """The xlsform runtime on one draft, in the respondent's language."""
    return evaluate_answers(form, data, language="en" if language.startswith("en") else "ja")


def answer_for(case: SurveyCase) -> Answer:
    """The case's answer, created empty on first use."""
    try:
        answer, _ = Answer.objects.get_or_create(case=case)
    except IntegrityError:  # two first requests at once: the other one created it
        answer = Answer.objects.get(case=case)
    return answer


def _locked_answer(case: SurveyCase) -> Answer:
    """The case's answer, locked for this transaction: one query when it exists, as it does after the first page."""
    answer = Answer.objects.select_for_update().filter(case=case).first()
    if answer is None:
        answer_for(case)  # create it, or find the one a concurrent first request created
        answer = Answer.objects.select_for_update().get(case=case)
    return answer


def _actor(seat: Seat) -> AbstractBaseUser | None:
    return seat.supporter if seat.mode != Answer.Mode.WEB else None


def _record(seat: Seat, action: str, request: HttpRequest | None, detail: dict[str, Any]) -> None:
    audit.record(
        action,
        actor=_actor(seat),
        actor_label="" if seat.mode != Answer.Mode.WEB else seat.label,
        municipality=seat.case.survey.municipality_id,
        object_type="survey_case",
        object_id=seat.case.pk,
        request=request,
        detail={"mode": seat.mode, **detail},
    )


def _require_open(survey: Survey) -> None:
    if period_state(survey) != "open":
        raise AnsweringClosed(survey.pk)


def _mark(answer: Answer, seat: Seat) -> None:
    answer.mode = seat.mode
    if seat.mode != Answer.Mode.WEB and seat.supporter is not None:
        answer.assisted_by_id = seat.supporter.pk


def apply_posted(
    form: Form,
    page: Page,
    data: dict[str, Any],
    posted: Mapping[str, Any],
    shown: Sequence[str],
    language: str,
    before: Evaluation | None = None,
) -> None:
    """Write the posted values of the fields that were shown on `page` into `data` (in place).

    Only keys of answerable fields of this page, as the stored answers lay it out, are written: a posted
    key for another page or a row that no longer exists is ignored. ``before``: the evaluation of `data`
    as it is, when the caller has it already.
    """
    before = before if before is not None else evaluate(form, data, language)
    allowed = {
        key for key in before.pages.get(page.name, []) if before.fields[key].kind not in ("note", "calculate")
    }
    for key in shown:
        if key not in allowed:
            continue  # a key from another page, or a stale row: never written from this page
        kind = before.fields[key].kind
        value = posted.get(key)
        if kind == "select_multiple":
            items = value if isinstance(value, list) else ([] if value in (None, "") else [value])
            answer_tree.set_value(data, key, [str(item)[:MAX_TEXT] for item in items[:MAX_CHOICES]])
        else:
            text = value[-1] if isinstance(value, list) and value else value
            answer_tree.set_value(data, key, str(text or "").strip()[:MAX_TEXT])


def _roster_change(form: Form, data: dict[str, Any], action: str, language: str) -> None:
    """Apply "add:<repeat key>" or "remove:<repeat key>:<n>" to the draft."""
    parts = action.split(":")
    if len(parts) < 2:
        return
    repeat_key = parts[1]
    try:
        segments = answer_tree.parse_key(repeat_key)
    except answer_tree.AnswerKeyError:
        return
    node = form.find(segments[-1][0])
    if not isinstance(node, Section) or node.kind != "repeat":
        return
    current = evaluate(form, data, language).repeat_counts.get(repeat_key)
    if current is None:
        return
    if parts[0] == "add" and len(parts) == 2:
        answer_tree.add_instance(form, data, node, repeat_key, current)
    elif parts[0] == "remove" and len(parts) == 3 and parts[2].isdigit():
        answer_tree.remove_instance(form, data, node, repeat_key, int(parts[2]), current)


def save_page(
    seat: Seat,
    page: Page,
    *,
    posted: Mapping[str, Any],
    shown: Sequence[str],
    version: int,
    digest: str,
    roster_action: str = "",
    language: str = "ja",
    request: HttpRequest | None = None,
) -> SaveResult:
    """Save the values posted from one page (and a roster row added or removed); return the new state.

    Raises AnswerConflict when another save changed this page after it was shown (nothing is written), and
    AnsweringClosed outside the answering period.
    """
    survey = seat.case.survey
    _require_open(survey)
    form = form_of(survey)
    with transaction.atomic():
        answer = _locked_answer(seat.case)
        merged = False
        if answer.version != version:
            if answer_tree.page_digest(answer.data, page) != digest:
                raise AnswerConflict(seat.case.pk)
            merged = True
        data = copy.deepcopy(answer.data) if isinstance(answer.data, dict) else {}
        before = evaluate(form, data, language)
        apply_posted(form, page, data, posted, shown, language, before)
        if roster_action:
            _roster_change(form, data, roster_action, language)
        answer.data = data
        answer.version += 1
        answer.last_page = page.name
        answer.updated_at = timezone.now()
        _mark(answer, seat)
        answer.save()
        if seat.case.status in (SurveyCase.Status.SAMPLED, SurveyCase.Status.ISSUED):
            SurveyCase.objects.filter(pk=seat.case.pk, status=seat.case.status).update(
                status=SurveyCase.Status.STARTED
            )
        if request is not None:  # paradata: time on this page, device class
            seconds = seconds_on_page(request, page.name)
            record_case_event(
                seat.case, "page_view", request=request, page=page.name, seconds=seconds, mode=seat.mode
            )
        if seat.mode != Answer.Mode.WEB:
            # A supporter's change to a household's answers is a staff change of personal data.
            _record(seat, "surveys.answer_saved", request, {"page": page.name, "version": answer.version})
    after = evaluate(form, data, language)
    return SaveResult(answer, after, merged, _choices_changed(page, before, after))


def _choices_changed(page: Page, before: Evaluation, after: Evaluation) -> tuple[str, ...]:
    """Filtered selects of `page` that now offer other choices than the page showed (no JavaScript
    redraws them, so the page must be shown again before the respondent moves on)."""
    changed = []
    for key in after.pages.get(page.name, []):
        state = after.fields[key]
        previous = before.fields.get(key)
        if state.relevant and state.choices is not None and previous is not None:
            if previous.relevant and previous.choices != state.choices:
                changed.append(key)
    return tuple(changed)


def new_receipt_number() -> str:
    """12 characters without look-alikes (shown as XXXX-XXXX-XXXX)."""
    return "".join(secrets.choice(ACCESS_KEY_ALPHABET) for _ in range(RECEIPT_LENGTH))


def format_receipt(number: str) -> str:
    """A receipt number as shown to the respondent."""
    return "-".join(number[i : i + 4] for i in range(0, len(number), 4))


@dataclass(frozen=True, slots=True)
class SubmitResult:
    answer: Answer
    evaluation: Evaluation
    accepted: bool
    repeated: bool = False


def submit(
    seat: Seat, *, version: int, language: str = "ja", request: HttpRequest | None = None
) -> SubmitResult:
    """Submit the draft at `version`: validate every page, keep the canonical record, give a receipt number.

    Submitting the version already submitted returns the same receipt without writing (a double click or a
    reloaded page). A different version than the current one raises AnswerConflict. Returns accepted=False
    with the evaluation when some answer is missing or invalid.
    """
    survey = seat.case.survey
    _require_open(survey)
    form = form_of(survey)
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
        answer.submitted_data = answer_tree.canonical_answers(evaluation)
        answer.submitted_at = timezone.now()
        answer.submitted_version = answer.version
        answer.submissions += 1
        _mark(answer, seat)
        if answer.receipt_number is None:
            answer.receipt_number = _unused_receipt_number()
        answer.save()
        SurveyCase.objects.filter(pk=seat.case.pk).update(status=SurveyCase.Status.SUBMITTED)
        record_case_event(seat.case, "submitted", request=request, mode=seat.mode)  # paradata
        _record(
            seat,
            "surveys.answer_corrected" if correction else "surveys.answer_submitted",
            request,
            {"version": answer.version, "receipt": answer.receipt_number},
        )
    return SubmitResult(answer, evaluation, accepted=True)


def _unused_receipt_number() -> str:
    while True:
        number = new_receipt_number()
        if not Answer.objects.filter(receipt_number=number).exists():
            return number
