"""Fixtures of fieldwork tests: a census survey of town A (and town B) with its cases, and a way to answer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.apps import apps

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality, User
from chiiki.surveys import actions
from chiiki.surveys.models import Questionnaire, QuestionnaireVersion, Survey, SurveyCase
from chiiki.surveys.xlsform import Form

OPENS = datetime(2025, 9, 20, tzinfo=UTC)  # 2025-09-20 09:00 in Japan
CLOSES = datetime(2099, 10, 20, tzinfo=UTC)  # still open whenever the tests run
FOLLOW_UP = date(2025, 10, 5)


def _survey(town: Municipality, title: str) -> Survey:
    questionnaire = Questionnaire.objects.create(municipality=town, form_id=f"f{town.code}", title="調査票")
    # An empty but well-formed stored form: opening and issuing keys read it (files it needs, none here).
    empty_form = Form(
        title="調査票", form_id=f"f{town.code}", version="1", default_language="ja", languages=["ja"]
    )
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=1, definition=empty_form.to_json(), source_sha256="0" * 64
    )
    survey = Survey.objects.create(
        municipality=town,
        title=title,
        reference_date=date(2025, 10, 1),
        opens_at=OPENS,
        closes_at=CLOSES,
        follow_up_on=FOLLOW_UP,
        questionnaire_version=version,
    )
    actions.draw_sample(survey, by=Actor.system("test"))
    # Letters went out: every case can log in.
    SurveyCase.objects.filter(survey=survey).update(status=SurveyCase.Status.ISSUED, access_key_hash="x")
    return survey


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Staff accounts are made in most tests; Argon2 would dominate their run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def survey_a(town_a: Municipality) -> Survey:
    """A census of town A, letters sent, open, follow-up from 2025-10-05."""
    return _survey(town_a, "府中町生活実態調査")


@pytest.fixture
def survey_b(town_b: Municipality) -> Survey:
    return _survey(town_b, "宇部市生活実態調査")


def answer(
    case: SurveyCase, *, mode: str = "web", at: datetime | None = None, by: User | None = None
) -> None:
    """Mark a case answered the way the answering pages do: status, and the Answer row when it exists."""
    at = at or datetime(2025, 9, 25, 3, tzinfo=UTC)
    case.status = SurveyCase.Status.SUBMITTED
    case.save(update_fields=["status"])
    try:
        model: Any = apps.get_model("surveys", "Answer")
    except LookupError:
        return
    model.objects.create(
        case=case,
        mode=mode,
        assisted_by=by,
        submitted_at=at,
        submitted_version=1,
        submitted_data={},
        receipt_number=f"R{case.pk:09d}",
        submissions=1,
    )


@pytest.fixture
def answered() -> Callable[..., None]:
    return answer
