"""The answers being written, read-side: who answers (`Seat`), the survey's form, the period, evaluating drafts.

The writes (saving a page, submitting) are actions in `chiiki.surveys.actions.answering`. A save names the
version it was read at and the fingerprint of the page as it was shown: when someone else saved in between,
the save still goes through if that person did not touch this page (their answers and ours are merged), and
otherwise it is refused with AnswerConflict so that nobody's answers are overwritten silently. A submission
must name the current version exactly; submitting the same version twice returns the first receipt.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from chiiki.core.acting import Actor
from chiiki.surveys import queries
from chiiki.surveys.answering import tree
from chiiki.surveys.answering.typed import plain_number
from chiiki.surveys.contact.credentials import ACCESS_KEY_ALPHABET
from chiiki.surveys.models import Answer, Survey, SurveyCase
from chiiki.surveys.xlsform import RANK_UNSURE, Evaluation, Form, Page, Section, evaluate_answers

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = [
    "MAX_CHOICES",
    "MAX_KEPT",
    "MAX_TEXT",
    "AnswerConflict",
    "AnsweringClosed",
    "PostedPage",
    "SaveResult",
    "Seat",
    "SubmitResult",
    "apply_posted",
    "choices_changed",
    "evaluate",
    "form_of",
    "format_receipt",
    "new_receipt_number",
    "page_named",
    "period_state",
    "require_open",
    "respondent_actor",
    "roster_change",
    "too_long",
]

RECEIPT_LENGTH = 12
MAX_TEXT = 4000  # characters of one answer: a long free-text remark fits; a longer one is refused, never cut
MAX_KEPT = 5 * MAX_TEXT  # what a draft keeps of a text over the limit, so the respondent can shorten it
MAX_CHOICES = 200


class AnswerConflict(RuntimeError):
    """Someone else saved this page (or the whole answer, for a submission) after it was shown."""


class AnsweringClosed(RuntimeError):
    """The survey's answering period has not started or is over, or its questionnaire lacks a file."""


@dataclass(frozen=True, slots=True)
class Seat:
    """Who is answering a case: the respondent on the web, or a supporter or enumerator sitting with them."""

    case: SurveyCase
    mode: str = Answer.Mode.WEB

    @property
    def label(self) -> str:
        """The audit label of a respondent (their case's login ID); supporters are recorded as users."""
        return f"respondent:{self.case.login_id}"

    @property
    def by_staff(self) -> bool:
        """True when a supporter or an enumerator answers with the household."""
        return self.mode != Answer.Mode.WEB

    def actor(self, request: HttpRequest) -> Actor:
        """Who acts for this seat: the respondent (named by the case's login ID) or the signed-in staff member."""
        return Actor.from_request(request) if self.by_staff else respondent_actor(request, self.label)


def respondent_actor(request: HttpRequest, label: str) -> Actor:
    """A respondent acting through `request`, named by `label`: never a staff account, even when someone is
    signed in as staff in the same browser."""
    return replace(Actor.from_request(request), user=None, label=label)


@dataclass(frozen=True, slots=True)
class PostedPage:
    """What one page sent back: the values of the fields it showed, the version and page fingerprint it was
    read at, and a roster row to add or remove ("add:<repeat>", "remove:<repeat>:<n>")."""

    values: Mapping[str, Any]
    shown: Sequence[str]
    version: int
    digest: str
    roster_action: str = ""
    paused: bool = False


@dataclass(frozen=True, slots=True)
class SaveResult:
    answer: Answer
    evaluation: Evaluation
    merged: bool
    choices_changed: tuple[str, ...] = ()
    """Keys on the page whose filtered choices differ from those shown (an answer on the page changed them)."""


@dataclass(frozen=True, slots=True)
class SubmitResult:
    answer: Answer
    evaluation: Evaluation
    accepted: bool
    repeated: bool = False


def form_of(survey: Survey) -> Form:
    """The survey's questionnaire as a Form, parsed once per process (a version in use never changes)."""
    return queries.questionnaire_form(survey.questionnaire_version)


def period_state(survey: Survey, now: datetime | None = None) -> str:
    """ "before", "open" or "closed" for the survey's answering period; "files_missing" while the
    questionnaire still lacks a file it reads (a choice file, a data extract): nobody can answer it then, in
    or out of the period, because its choices and lookups would be empty."""
    if form_of(survey).missing_files():
        return "files_missing"
    now = now or timezone.now()
    if now < survey.opens_at:
        return "before"
    if now >= survey.closes_at:
        return "closed"
    return "open"


def require_open(survey: Survey) -> None:
    """Raise AnsweringClosed outside the survey's answering period (or while a file is missing)."""
    if period_state(survey) != "open":
        raise AnsweringClosed(survey.pk)


def page_named(form: Form, name: str) -> Page | None:
    """The page called `name`, if the form has it."""
    return next((page for page in form.pages() if page.name == name), None)


def evaluate(
    form: Form, data: Mapping[str, Any], language: str, metadata: Mapping[str, str] | None = None
) -> Evaluation:
    """The xlsform runtime on one draft, in the respondent's language; ``metadata`` fills the form's metadata
    questions (start, end, username …) at submission. A text over MAX_TEXT characters is an error (it is
    refused, not cut: the export has every character the respondent sent)."""
    evaluation = evaluate_answers(
        form, data, language="en" if language.startswith("en") else "ja", metadata=metadata
    )
    for state in evaluation.fields.values():
        if state.relevant and isinstance(state.value, str) and len(state.value) > MAX_TEXT:
            state.errors.append(too_long(len(state.value), language))
    return evaluation


def too_long(length: int, language: str) -> str:
    """The message for a text over the limit, with its length (in the questionnaire's language)."""
    if language.startswith("en"):
        return f"Please shorten this to {MAX_TEXT:,} characters or fewer (it has {length:,})."
    return f"{MAX_TEXT:,}文字以内にしてください(いま{length:,}文字です)。"


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
        value = posted.get(key)
        if before.fields[key].kind == "select_multiple":
            items = value if isinstance(value, list) else ([] if value in (None, "") else [value])
            tree.set_value(data, key, [str(item)[:MAX_TEXT] for item in items[:MAX_CHOICES]])
        elif before.fields[key].kind == "rank":
            items = value if isinstance(value, list) else ([] if value in (None, "") else [value])
            tree.set_value(data, key, ranking([str(item)[:MAX_TEXT] for item in items[:MAX_CHOICES]]))
        else:
            text = str((value[-1] if isinstance(value, list) and value else value) or "").strip()
            kind = before.fields[key].kind
            if kind in ("integer", "decimal"):
                text = plain_number(text, kind)  # 昭和25 → 1950, 1人 → 1, 55㎡ → 55
            tree.set_value(data, key, text[:MAX_KEPT])


def ranking(posted: list[str]) -> list[str]:
    """A rank question's posted numbers (``"2:sendai"`` per option, ``""`` when left blank) as the codes in
    order; when the numbers are not 1, 2, … each used once, the posted numbers kept behind RANK_UNSURE so
    that the page can show them again with the error."""
    pairs = [item.split(":", 1) for item in posted if ":" in item]
    if not pairs and not any(posted):
        return []
    numbers = [number for number, _ in pairs]
    names = [name for _, name in pairs]
    expected = [str(n) for n in range(1, len(posted) + 1)]
    if len(pairs) == len(posted) and sorted(numbers, key=lambda n: int(n) if n.isdigit() else 0) == expected:
        if len(set(names)) == len(names):
            return [name for _, name in sorted(pairs, key=lambda pair: int(pair[0]))]
    return [RANK_UNSURE + ",".join(posted)]


def roster_change(form: Form, data: dict[str, Any], action: str, language: str) -> None:
    """Apply "add:<repeat key>" or "remove:<repeat key>:<n>" to the draft (anything else changes nothing)."""
    parts = action.split(":")
    if len(parts) < 2:
        return
    repeat_key = parts[1]
    try:
        segments = tree.parse_key(repeat_key)
    except tree.AnswerKeyError:
        return
    node = form.find(segments[-1][0])
    if not isinstance(node, Section) or node.kind != "repeat":
        return
    current = evaluate(form, data, language).repeat_counts.get(repeat_key)
    if current is None:
        return
    if parts[0] == "add" and len(parts) == 2:
        tree.add_instance(form, data, node, repeat_key, current)
    elif parts[0] == "remove" and len(parts) == 3 and parts[2].isdigit():
        tree.remove_instance(form, data, node, repeat_key, int(parts[2]), current)


def choices_changed(page: Page, before: Evaluation, after: Evaluation) -> tuple[str, ...]:
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
