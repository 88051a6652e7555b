"""Shared set-up for the answering tests: an open census-like survey with access keys, and page helpers."""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from chiiki.core.models import Municipality
from chiiki.surveys import actions
from chiiki.surveys.demo_survey import issue_keys_to
from chiiki.surveys.models import Questionnaire, QuestionnaireVersion, Survey
from chiiki.surveys.xlsform import load_form

DEMO_FORM = Path(__file__).resolve().parents[2] / "src/chiiki/surveys/forms/census_demo.xlsx"


@dataclass(frozen=True, slots=True)
class Letter:
    """What a request letter carries: the login ID and the access key (as printed, "ABCD-EFGH")."""

    login_id: str
    access_key: str


@functools.cache
def _demo_definition() -> tuple[dict[str, Any], str]:
    # Reading the workbook through pyxform takes about a second: once per test session is enough.
    source = DEMO_FORM.read_bytes()
    return load_form(source, filename=DEMO_FORM.name).to_json(), hashlib.sha256(source).hexdigest()


def open_survey(
    town: Municipality,
    *,
    letters: int = 3,
    closes_in: timedelta = timedelta(days=20),
    form: tuple[dict[str, Any], str] | None = None,
) -> tuple[Survey, list[Letter]]:
    """A census of `town` open for answering now, with access keys issued to its first `letters` cases.

    `form`: another questionnaire (its JSON definition and a digest) instead of the demo census.
    """
    definition, digest = form if form is not None else _demo_definition()
    questionnaire = Questionnaire.objects.create(
        municipality=town, form_id=str(definition["form_id"]), title="census"
    )
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=1, definition=definition, source_sha256=digest
    )
    now = timezone.now()
    survey = actions.create_survey(
        town,
        questionnaire_version=version,
        title="府中町 生活実態調査",
        reference_date=date(2025, 10, 1),
        opens_at=now - timedelta(days=1),
        closes_at=now + closes_in,
        by=None,
        actor_label="test",
    )
    actions.draw_sample(survey, by=None, actor_label="test")
    cases = list(survey.cases.order_by("id")[:letters])
    pairs = issue_keys_to(survey, cases, actor_label="test")
    return survey, [Letter(login_id, key) for login_id, key in pairs]


def hidden(html: str, name: str) -> str:
    """The value of the hidden input `name` in a page."""
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    assert match is not None, f"no hidden input {name!r}"
    return match.group(1)


def shown_keys(html: str) -> list[str]:
    """The field keys a page declares it shows."""
    return re.findall(r'name="shown" value="([^"]*)"', html)


def post_page(
    client: Client, url: str, values: dict[str, Any], *, action: str = "next", page_html: str | None = None
) -> Any:
    """Open `url` (unless its HTML is given), fill `values` into the fields it shows, and press `action`."""
    html = page_html if page_html is not None else client.get(url).content.decode()
    data: dict[str, Any] = {
        "version": hidden(html, "version"),
        "digest": hidden(html, "digest"),
        "shown": shown_keys(html),
        "action": action,
    }
    for key in shown_keys(html):
        if key in values:
            data[key] = values[key]
    return client.post(url, data)


def sign_in(client: Client, login_id: str, secret: str, *, password: str | None = "midori-2025") -> Any:  # noqa: S107 - a test password
    """Sign in with the access key and (first time) set `password`."""
    response = client.post("/answer/", {"login_id": login_id, "secret": secret})
    if password is not None and response.status_code == 302 and response["Location"] == "/answer/password/":
        response = client.post("/answer/password/", {"password": password, "confirmation": password})
    return response


@pytest.fixture
def fast_password_hashing(settings: Any) -> None:
    """Argon2 takes a good part of a second on a busy test machine; these tests are about the flow, not it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
