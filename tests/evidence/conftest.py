"""Fixtures of evidence tests: a small synthetic town with the demo census, an enumerator and a help desk."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from chiiki.core.acting import Actor
from chiiki.core.models import Membership, Municipality, Role, User
from chiiki.demo import residents as synthetic
from chiiki.demo.survey import DEMO_FORM
from chiiki.registry.actions import import_registry
from chiiki.surveys import actions
from chiiki.surveys.models import Survey

OPENS = datetime(2025, 9, 20, tzinfo=UTC)
CLOSES = datetime(2099, 10, 20, tzinfo=UTC)  # open whenever the tests run, so follow-up lists can be built
FOLLOW_UP = date(2025, 10, 12)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def small_town(db: None) -> Municipality:
    """A synthetic town of about 700 households (広島県安芸太田町), small enough to need suppression."""
    town = Municipality.objects.create(
        code="343692",
        prefecture_code="34",
        prefecture="広島県",
        county="山県郡",
        name="安芸太田町",
        name_kana="アキオオタチョウ",
        kind="town",
    )
    import_registry(town, synthetic.generate(persons=1500, seed=7), by=Actor.system("test"))
    return town


@pytest.fixture
def census(small_town: Municipality, make_staff: Callable[..., User]) -> Survey:
    """The demo census form as a census of the small town, with an enumerator and a help-desk supporter."""
    make_staff("enumerator-1", small_town, Role.ENUMERATOR)
    make_staff("helpdesk-1", small_town, Role.HELPDESK)
    version = actions.import_questionnaire(
        small_town, DEMO_FORM.read_bytes(), filename=DEMO_FORM.name, by=Actor.system("test")
    )
    survey = actions.create_survey(
        small_town,
        questionnaire_version=version,
        title="安芸太田町 地域国勢調査(テスト)",
        reference_date=date(2025, 10, 1),
        opens_at=OPENS,
        closes_at=CLOSES,
        follow_up_on=FOLLOW_UP,
        seed=1,
        by=Actor.system("test"),
    )
    actions.draw_sample(survey, by=Actor.system("test"))
    return survey


@pytest.fixture
def manager(small_town: Municipality, make_staff: Callable[..., User]) -> User:
    return make_staff("manager-1", small_town, Role.SURVEY_MANAGER)


def members_of(user: User, town: Municipality) -> list[str]:
    return list(Membership.objects.filter(user=user, municipality=town).values_list("role", flat=True))


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    """Run enqueued tasks at once (the worker is not running in tests)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
