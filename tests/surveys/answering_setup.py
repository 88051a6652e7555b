"""Shared set-up for the answering tests: an open census-like survey with access keys, and page helpers."""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.demo.survey import issue_keys_to
from chiiki.surveys import actions
from chiiki.surveys.models import Questionnaire, QuestionnaireVersion, Survey
from chiiki.surveys.xlsform import load_form

DEMO_FORM = Path(__file__).resolve().parents[2] / "src/chiiki/demo/forms/census_demo.xlsx"


# A small form with cascading choices (city by prefecture, on the same page and per roster member) and labels
# that quote answers (${member_name}, the chosen prefecture's label).
WORKPLACES_FORM = """
| survey |
| | type | name | label::ja | label::en | hint::ja | required | choice_filter | constraint | constraint_message::ja | repeat_count |
| | begin group | home | 住まい | Home | | | | | | |
| | integer | hh_size | 世帯の人数 | Household size | | yes | | . >= 1 and . <= 5 | | |
| | select_one pref | pref | 都道府県 | Prefecture | | yes | | | | |
| | select_one city | city | 市区町村 | Municipality | ${pref}の市区町村を選んでください | | pref = ${pref} | | | |
| | end group | | | | | | | | | |
| | begin repeat | members | 世帯員 | Members | | | | | | ${hh_size} |
| | text | member_name | 氏名 | Name | | yes | | | | |
| | select_one pref | work_pref | ${member_name}さんの勤め先の都道府県 | Workplace prefecture of ${member_name} | | yes | | | | |
| | select_one city | work_city | ${member_name}さんの勤め先の市区町村 | Workplace of ${member_name} | | yes | pref = ${work_pref} | | | |
| | integer | birth_year | ${member_name}さんの生まれ年 | Birth year of ${member_name} | ${pref}にお住まいの方 | yes | | . >= 1900 | ${member_name}さんの生まれ年を確かめてください | |
| | note | thanks | ${member_name}さん(${work_city}にお勤め)の回答は以上です | Done | | | | | | |
| | end repeat | | | | | | | | | |
| | begin group | closing | 確認 | Review | | | | | | |
| | note | summary | 住所: ${pref} ${city} | Address: ${pref} ${city} | | | | | | |
| | text | remarks | その他 | Remarks | | | | | | |
| | end group | | | | | | | | | |
| choices |
| | list_name | name | label::ja | label::en | pref |
| | pref | tokyo | 東京都 | Tokyo | |
| | pref | osaka | 大阪府 | Osaka | |
| | pref | tottori | 鳥取県 | Tottori | |
| | city | shinjuku | 新宿区 | Shinjuku | tokyo |
| | city | hachioji | 八王子市 | Hachioji | tokyo |
| | city | sakai | 堺市 | Sakai | osaka |
| | city | suita | 吹田市 | Suita | osaka |
| settings |
| | form_title | form_id | version | default_language |
| | 勤め先調査 | workplaces | 1 | ja |
"""


# A two-person household's answers to the demo questionnaire's first pages, as the answering tests post them.
HOUSEHOLD = {"household/hh_size": "2", "household/dwelling_type": "house", "household/tenure": "own"}
MEMBERS = {
    "members[1]/member_name": "山田 太郎",
    "members[1]/relation": "head",
    "members[1]/sex": "male",
    "members[1]/birth_year": "1970",
    "members[1]/birth_month": "4",
    "members[2]/member_name": "山田 花",
    "members[2]/relation": "child",
    "members[2]/sex": "female",
    "members[2]/birth_year": "2018",
    "members[2]/birth_month": "12",
}


def workplaces_definition() -> tuple[dict[str, Any], str]:
    """WORKPLACES_FORM as a stored definition and its digest (for open_survey's `form`)."""
    source = WORKPLACES_FORM.encode()
    form = load_form(source, filename="workplaces.md", cross_check=False)
    return form.to_json(), hashlib.sha256(source).hexdigest()


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
        by=Actor.system("test"),
    )
    actions.draw_sample(survey, by=Actor.system("test"))
    cases = list(survey.cases.order_by("id")[:letters])
    pairs = issue_keys_to(survey, cases, by=Actor.system("test"))
    return survey, [Letter(login_id, key) for login_id, key in pairs]


def hidden(html: str, name: str) -> str:
    """The value of the hidden input `name` in a page."""
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    assert match is not None, f"no hidden input {name!r}"
    return match.group(1)


def shown_keys(html: str) -> list[str]:
    """The field keys a page declares it shows (as a browser without script posts them: not the disabled
    inputs of questions drawn hidden for the page's script)."""
    return re.findall(r'<input type="hidden" name="shown" value="([^"]*)">', html)


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
    shown_at = re.search(r'name="shown_at" value="([^"]*)"', html)
    if shown_at:  # paradata: when the page was sent, signed
        data["shown_at"] = shown_at.group(1)
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


def sampled_census(town: Municipality) -> Survey:
    """The demo census questionnaire as a survey of `town` for Sept–Oct 2025, with its sample drawn (no keys yet)."""
    version = actions.import_questionnaire(
        town, DEMO_FORM.read_bytes(), filename=DEMO_FORM.name, by=Actor.system("test")
    )
    survey = actions.create_survey(
        town,
        questionnaire_version=version,
        title="令和7年 府中町生活実態調査",
        reference_date=date(2025, 10, 1),
        opens_at=datetime(2025, 9, 20, tzinfo=UTC),
        closes_at=datetime(2025, 10, 20, 15, tzinfo=UTC),
        by=Actor.system("test"),
    )
    actions.draw_sample(survey, by=Actor.system("test"))
    return survey
