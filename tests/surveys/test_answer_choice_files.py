"""A questionnaire whose choices come from a file attached to it (select_one_from_file, instance(), pulldata()):
uploaded with the form on the survey page and on the command line, its choices shown to the respondent from
the file, an answer outside the file refused, and the values looked up from the file stored at submission."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.surveys.models import Answer, QuestionnaireVersion, Survey
from chiiki.surveys.xlsform import load_form

from .answering_setup import (  # noqa: F401 - fast_password_hashing is a fixture
    fast_password_hashing,
    open_survey,
    post_page,
    sign_in,
)

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

FORM = """
| survey |
| | type | name | label::ja | label::en | required | calculation |
| | begin group | home | 住まい | Home | | |
| | select_one_from_file cities.csv | city | お住まいの市 | Your city | yes | |
| | calculate | population | | | | instance('cities')/root/item[name=${city}]/population |
| | calculate | pref | | | | pulldata('cities', 'pref', 'name', ${city}) |
| | note | said | ${pref}の市を選びました | You chose a city | | |
| | end group | | | | | |
| | begin group | likes | 好み | Likes | | |
| | rank seasons | seasons | 好きな季節の順 | Seasons you like, in order | | |
| | end group | | | | | |
| choices |
| | list_name | name | label::ja | label::en | | |
| | seasons | spring | 春 | Spring | | |
| | seasons | summer | 夏 | Summer | | |
| | seasons | autumn | 秋 | Autumn | | |
| settings |
| | form_title | form_id | version | default_language |
| | 市の調査 | cities_survey | 1 | ja |
"""
CITIES = (
    "name,label::ja,label::en,pref,population\n"
    "sapporo,札幌市,Sapporo,北海道,1960000\n"
    "sendai,仙台市,Sendai,宮城県,1090000\n"
    "naha,那覇市,Naha,沖縄県,310000\n"
).encode()
HOME = "/answer/q/home/"
LIKES = "/answer/q/likes/"


def options(html: str, key: str) -> list[str]:
    return re.findall(rf'name="{re.escape(key)}" value="([^"]*)"', html)


@pytest.fixture
def respondent(town_a: Municipality) -> Client:
    form = load_form(FORM.encode(), filename="cities.md", cross_check=False, files={"cities.csv": CITIES})
    _, letters = open_survey(town_a, form=(form.to_json(), hashlib.sha256(FORM.encode()).hexdigest()))
    client = Client()
    assert sign_in(client, letters[0].login_id, letters[0].access_key).status_code == 302
    return client


def test_the_choices_on_the_page_are_the_files_items_and_an_answer_outside_them_is_refused(
    respondent: Client,
) -> None:
    html = respondent.get(HOME).content.decode()
    assert options(html, "home/city") == ["sapporo", "sendai", "naha"]
    assert "仙台市" in html
    assert "那覇市" in html
    refused = post_page(respondent, HOME, {"home/city": "osaka"}, page_html=html)
    assert refused.status_code == 422
    assert "選択肢の中から選んでください" in refused.content.decode()
    saved = post_page(respondent, HOME, {"home/city": "sendai"})  # the page as it is now (the draft was kept)
    assert saved.status_code == 302
    answer = Answer.objects.get()
    assert answer.data["home"]["city"] == "sendai"
    again = respondent.get(HOME).content.decode()
    assert "宮城県の市を選びました" in again  # looked up from the file with pulldata()


def test_a_ranking_is_given_with_numbers_and_kept_in_order(respondent: Client) -> None:
    html = respondent.get(LIKES).content.decode()
    assert re.findall(r'<option value="(\d:\w+)"', html) == [
        *(f"{n}:spring" for n in "123"),
        *(f"{n}:summer" for n in "123"),
        *(f"{n}:autumn" for n in "123"),
    ]
    data = {"likes/seasons": ["2:spring", "2:summer", "1:autumn"]}
    twice = post_page(respondent, LIKES, data, page_html=html)
    assert twice.status_code == 422
    again = twice.content.decode()
    assert "すべての選択肢に、1から順に異なる番号を付けてください" in again
    assert 'value="2:summer" selected' in again  # what was typed is shown again
    saved = post_page(respondent, LIKES, {"likes/seasons": ["3:spring", "2:summer", "1:autumn"]})
    assert saved.status_code == 302
    assert Answer.objects.get().data["likes"]["seasons"] == ["autumn", "summer", "spring"]
    shown = respondent.get(LIKES).content.decode()
    assert 'value="1:autumn" selected' in shown


def test_english_pages_show_the_files_english_labels(respondent: Client) -> None:
    respondent.post("/i18n/setlang/", {"language": "en", "next": HOME})
    html = respondent.get(HOME).content.decode()
    assert "Sendai" in html
    assert "Naha" in html
    assert "那覇市" not in html


@pytest.fixture
def manager(town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]) -> Client:
    return login(make_staff("manager", town_a, Role.SURVEY_MANAGER))


def _new(client: Client, town: Municipality, files: list[SimpleUploadedFile]) -> Any:
    data: dict[str, Any] = {
        "form_file": SimpleUploadedFile("cities.md", FORM.encode()),
        "title": "市の調査",
        "reference_date": "令和8年10月1日",
        "sample_size": "",
        "choice_files": files,
    }
    return client.post(f"/staff/m/{town.code}/surveys/new/", data)


def test_the_survey_page_takes_the_choice_file_with_the_form(manager: Client, town_a: Municipality) -> None:
    page = manager.get(f"/staff/m/{town_a.code}/surveys/new/").content.decode()
    assert 'name="choice_files"' in page
    assert "multiple" in page
    broken = _new(manager, town_a, [SimpleUploadedFile("cities.csv", b"name,name\n")])
    assert broken.status_code == 400
    assert "duplicate column" in broken.content.decode()
    assert not Survey.objects.exists()
    created = _new(manager, town_a, [SimpleUploadedFile("cities.csv", CITIES)])
    assert created.status_code == 302
    version = QuestionnaireVersion.objects.get()
    assert [item["name"] for item in version.definition["instances"]["cities"]] == [
        "sapporo",
        "sendai",
        "naha",
    ]
    event = AuditEvent.objects.filter(action="surveys.questionnaire_import").get()
    assert event.detail["files"] == ["cities.csv"]
    page = manager.get(created["Location"]).content.decode()
    assert "添付済み" in page
    assert "未添付" not in page


def test_check_form_takes_the_files_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    form = tmp_path / "cities.md"
    form.write_bytes(FORM.encode())
    csv = tmp_path / "cities.csv"
    csv.write_bytes(CITIES)
    call_command("survey_check_form", str(form), "--no-pyxform")
    waiting = capsys.readouterr().out
    assert "cities.csv" in waiting
    assert "answerable once these files are attached" in waiting
    call_command("survey_check_form", str(form), "--no-pyxform", "--files", str(csv))
    out = capsys.readouterr().out
    assert "form imported" in out
    assert "answerable once" not in out
    csv.write_bytes(b"name,name\n")
    with pytest.raises(SystemExit) as failed:
        call_command("survey_check_form", str(form), "--no-pyxform", "--files", str(csv))
    assert failed.value.code == 1
    assert "duplicate column" in capsys.readouterr().err


def test_survey_create_takes_the_files_on_the_command_line(town_a: Municipality, tmp_path: Path) -> None:
    form = tmp_path / "cities.md"
    form.write_bytes(FORM.encode())
    csv = tmp_path / "cities.csv"
    csv.write_bytes(CITIES)
    options = [
        "--municipality",
        town_a.code,
        "--form",
        str(form),
        "--title",
        "市の調査",
        "--reference-date",
        "2026-10-01",
    ]
    csv.write_bytes(b"name,name\n")
    with pytest.raises(CommandError) as refused:
        call_command("survey_create", *options, "--files", str(csv))
    assert "duplicate column" in str(refused.value)
    assert not Survey.objects.exists()
    csv.write_bytes(CITIES)
    call_command("survey_create", *options, "--files", str(csv))
    version = Survey.objects.get().questionnaire_version
    assert [item["pref"] for item in version.definition["instances"]["cities"]] == [
        "北海道",
        "宮城県",
        "沖縄県",
    ]
