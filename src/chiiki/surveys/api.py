"""Survey endpoints of the JSON API (session authentication and CSRF, as the pages): the municipality's surveys
with their progress, and request letters queued and followed, through the same actions as the pages and the
`chiiki survey letters` command."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.request import RawPostDataException
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.core.permissions import has_permission
from chiiki.surveys import actions, queries
from chiiki.surveys.models import Survey, SurveyLetters

router = Router(tags=["surveys"])


class SurveyOut(Schema):
    id: int
    title: str
    reference_date: date
    opens_at: datetime
    closes_at: datetime
    households: int
    keyed: int
    submitted: int


class LettersIn(Schema):
    large_print: bool = False
    reissue: bool = False


class LettersOut(Schema):
    id: int
    status: str
    message: str
    letters: int | None
    large_print: bool
    reissue: bool
    queued_at: datetime
    download: str | None


def _municipality(request: HttpRequest, code: str) -> Municipality:
    municipality = get_object_or_404(Municipality, code=code)
    if not has_permission(request.user, municipality, "surveys.manage"):
        raise PermissionDenied
    return municipality


def _survey(municipality: Municipality, survey_id: int) -> Survey:
    survey = queries.survey_of(municipality, survey_id) if 0 < survey_id < 2**63 else None
    if survey is None:
        raise HttpError(404, "調査がありません (no such survey)")
    return survey


def _letters_out(job: SurveyLetters, code: str) -> LettersOut:
    done = job.status == SurveyLetters.Status.DONE and bool(job.file_name)
    link = f"/staff/m/{code}/surveys/{job.survey_id}/letters/{job.pk}/download/" if done else None
    return LettersOut(
        id=job.pk,
        status=job.status,
        message=job.message,
        letters=job.letters,
        large_print=job.large_print,
        reissue=job.reissue,
        queued_at=job.queued_at,
        download=link,
    )


@router.get("/municipalities/{code}/surveys", response=list[SurveyOut])
def list_surveys(request: HttpRequest, code: str) -> list[SurveyOut]:
    """The municipality's surveys, newest first, with households drawn, keys issued and answers submitted."""
    municipality = _municipality(request, code)
    rows: list[Any] = list(queries.surveys_in(municipality))  # annotated with the three counts
    return [
        SurveyOut(
            id=s.pk,
            title=s.title,
            reference_date=s.reference_date,
            opens_at=s.opens_at,
            closes_at=s.closes_at,
            households=s.households,
            keyed=s.keyed,
            submitted=s.submitted,
        )
        for s in rows
    ]


@router.get("/municipalities/{code}/surveys/{survey_id}/letters", response=list[LettersOut])
def list_letters(request: HttpRequest, code: str, survey_id: int) -> list[LettersOut]:
    """The survey's batches of request letters, newest first (the ZIP itself is downloaded from the page link)."""
    municipality = _municipality(request, code)
    return [_letters_out(job, code) for job in queries.letters_of(_survey(municipality, survey_id))]


@router.post("/municipalities/{code}/surveys/{survey_id}/letters", response={202: LettersOut})
def request_letters(request: HttpRequest, code: str, survey_id: int) -> tuple[int, LettersOut]:
    """Queue a batch of request letters (written by the worker); answers 202 with the batch to follow. The body is
    JSON (`{"large_print": true, "reissue": false}`) or a form with the same fields; it is read after the
    permission check, so nobody learns anything about it without the right to ask."""
    municipality = _municipality(request, code)
    survey = _survey(municipality, survey_id)
    options = _letters_options(request)
    try:
        job = actions.request_letters(
            survey, by=Actor.from_request(request), large_print=options.large_print, reissue=options.reissue
        )
    except actions.SurveyError as error:
        raise HttpError(409, str(error)) from error
    return 202, _letters_out(job, code)


def _letters_options(request: HttpRequest) -> LettersIn:
    """The options from a JSON body, else from form fields; a body that is neither is a 400."""
    if request.content_type == "application/json":
        try:
            return LettersIn.model_validate_json(request.body or b"{}")
        except (ValueError, RawPostDataException) as error:
            raise HttpError(400, "本文が JSON として読めません (the body is not valid JSON)") from error
    flags = {
        name: request.POST.get(name, "").lower() in ("1", "true", "on", "yes")
        for name in ("large_print", "reissue")
    }
    return LettersIn(**flags)
