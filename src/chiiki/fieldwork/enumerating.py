"""The questionnaire in enumerator mode: an enumerator answers with a household on their own follow-up list.

The pages are the surveys app's answering flow (`chiiki.surveys.answering.flow`) with the enumerator's seat
(answers recorded with mode = enumerator). Only households assigned to the enumerator can be opened; any
other case looks absent (404). The URLs keep the surveys path (/staff/m/<code>/surveys/enumerate/<case>/).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality, User
from chiiki.fieldwork import queries
from chiiki.surveys.answering.drafts import Seat
from chiiki.surveys.answering.flow import (
    Links,
    show_overview,
    show_page,
    show_receipt,
    show_review,
    staff_seat,
)
from chiiki.surveys.models import Answer, SurveyCase


def _assigned_case(request: HttpRequest, municipality: Municipality, case_id: int) -> SurveyCase | None:
    """A case on the enumerator's own follow-up list in this municipality (any other looks absent)."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return queries.enumerator_case(municipality, request.user, case_id)


# An enumerator's seat for a household on their own follow-up list (answers recorded with mode = enumerator).
_enumerating = staff_seat(
    "surveys.fieldwork", _assigned_case, "fieldwork:enumerate", Answer.Mode.ENUMERATOR, "enumerate_"
)


@_enumerating
def enumerate_home(request: HttpRequest, seat: Seat, links: Links) -> HttpResponse:
    """An enumerator opens an assigned household's answers on a tablet, with the household (audited)."""
    audit.record(
        "surveys.enumerate_opened",
        by=Actor.from_request(request),
        municipality=seat.case.survey.municipality_id,
        object_type="survey_case",
        object_id=seat.case.pk,
    )
    return show_overview(request, seat, links)


@_enumerating
def enumerate_page(request: HttpRequest, seat: Seat, links: Links, page: str) -> HttpResponse:
    """One page, answered with the household by its enumerator."""
    return show_page(request, seat, links, page)


@_enumerating
def enumerate_review(request: HttpRequest, seat: Seat, links: Links) -> HttpResponse:
    """Review and submit with the household."""
    return show_review(request, seat, links)


@_enumerating
def enumerate_receipt(request: HttpRequest, seat: Seat, links: Links) -> HttpResponse:
    """The receipt for the household."""
    return show_receipt(request, seat, links)
