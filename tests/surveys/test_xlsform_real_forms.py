"""Real-world XLSForms (tests/surveys/forms/real, sources in SOURCES.md): pyxform's verdict against ours.

Each form is converted by pyxform (the reference implementation) and checked by ``check_form``, with the
files its repository attaches to it (``<form>.files/``, e.g. CHT's ``colors.xml``). The test prints the
acceptance figure (accepted / converted by pyxform) and how many of the accepted forms can be answered as
they stand: the HOT forms read GeoJSON/CSV data extracts their server generates, which are not in their
repository, so they are accepted with "upload this file with the form" and counted apart. Those forms are
then given files made up from the columns the form reads (``instance_columns``) and must become
answerable: the choices come from the file and the lookups find the item picked.

Then each form pyxform converts is used for real (a census of the test town, through the actions and the
answer pages): a form that lacks files is refused for opening with a message naming them, its files (made up
as above) are attached with ``attach_questionnaire_files``, and a household opens every page, answers them in
order and submits. The share accepted and answered must be at least 90 % (issue 18); ``pytest -s`` prints it.

It also holds three rules: no form pyxform refuses is accepted, the forms accepted today stay accepted, and
a row refused as "not supported" never causes a second, false "no question named …" message.
"""

from __future__ import annotations

import functools
import json
import re
import warnings
from dataclasses import dataclass, field
from datetime import timedelta
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone
from pyxform.xls2xform import convert

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.demo.survey import issue_keys_to
from chiiki.surveys import queries
from chiiki.surveys.actions import (
    NewSurvey,
    SurveyError,
    attach_questionnaire_files,
    create_survey_round,
    issue_access_keys,
)
from chiiki.surveys.answering.pages import field_id
from chiiki.surveys.xlsform import CheckResult, Form, check_form, evaluate_answers, instance_columns

from .answering_setup import (  # noqa: F401 - fast_password_hashing is a fixture
    fast_password_hashing,
    post_page,
    shown_keys,
    sign_in,
)

REAL = Path(__file__).resolve().parent / "forms" / "real"
FORMS = sorted(p for p in REAL.rglob("*") if p.suffix in (".xls", ".xlsx"))

# Forms accepted now (regression guard: this set may grow, never shrink silently).
ACCEPTED = {
    "cht/default-training-admin_welcome.xlsx",
    "cht/e2e-default-enketo-db-object-form.xlsx",
    "cht/e2e-default-enketo-enketo_widgets_test.xlsx",
    "cht/e2e-default-enketo-repeat-translation-button.xlsx",
    "cht/e2e-default-enketo-repeat-translation-count.xlsx",
    "cht/e2e-default-enketo-repeat-translation-select.xlsx",
    "cht/e2e-default-enketo-select_from_file.xlsx",
    "cht/integration-cht-form-default-dates.xlsx",
    "cht/integration-cht-form-default-draw-widget.xlsx",
    "cht/integration-cht-form-default-dynamic-url-widget.xlsx",
    "cht/integration-cht-form-default-file-upload.xlsx",
    "cht/performance-webapp-specs-app-large_cha.xlsx",
    "osm/archived-amenities.xls",
    "osm/archived-buildings.xls",
    "osm/archived-camping.xls",
    "osm/archived-cemeteries.xls",
    "osm/archived-education.xls",
    "osm/archived-entities_registration.xls",
    "osm/archived-health.xls",
    "osm/archived-highways.xls",
    "osm/archived-historical.xls",
    "osm/archived-landusage.xls",
    "osm/archived-nature.xls",
    "osm/archived-religious.xls",
    "osm/archived-solidwaste.xlsx",
    "osm/archived-test.xls",
    "osm/archived-thamel.xls",
    "osm/archived-toilets.xls",
    "osm/archived-transportation.xls",
    "osm/archived-waste_collection.xlsx",
    "osm/archived-wastedisposal.xls",
    "osm/archived-waterpoints.xls",
}
MADE_UP_ITEMS = 3
"""Items in each made-up file; the answer picks the second (value ``v1``)."""


def repository_files(path: Path) -> dict[str, bytes]:
    """The files the form's repository attaches to it, kept in ``<form>.files/``."""
    folder = path.with_suffix(".files")
    return {f.name: f.read_bytes() for f in sorted(folder.iterdir())} if folder.is_dir() else {}


def made_up_file(name: str, columns: list[str]) -> bytes:
    """A file of MADE_UP_ITEMS items holding ``columns`` (value ``v<i>``, other columns ``<column>-<i>``)."""
    value_columns = {"id", "name"}

    def cell(column: str, i: int) -> str:
        return f"v{i}" if column in value_columns else f"{column}-{i}"

    if name.endswith(".geojson"):
        features = [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [139 + i, 35]},
                "properties": {c: cell(c, i) for c in columns if c != "geometry"},
            }
            for i in range(MADE_UP_ITEMS)
        ]
        return json.dumps({"type": "FeatureCollection", "features": features}).encode()
    header = list(dict.fromkeys(["name", "label", *columns]))
    if name.endswith(".xml"):
        items = "".join(
            "<item>" + "".join(f"<{c}>{cell(c, i)}</{c}>" for c in header) + "</item>"
            for i in range(MADE_UP_ITEMS)
        )
        return f"<root>{items}</root>".encode()
    rows = [",".join(header)] + [",".join(cell(c, i) for c in header) for i in range(MADE_UP_ITEMS)]
    return ("\n".join(rows) + "\n").encode()


def answers_picking(form: Form, value: str) -> dict[str, Any]:
    """Answers that pick ``value`` in every select whose choices come from a file."""
    answers: dict[str, Any] = {}
    for node, parents in form.walk():
        if getattr(node, "choice_list", None) in form.file_choice_lists and node.kind != "calculate":
            box = answers
            for parent in parents:
                box = box.setdefault(parent.name, {} if parent.kind == "group" else [{}])
                box = box[0] if isinstance(box, list) else box
            box[node.name] = value
    return answers


@functools.cache
def verdicts(path: Path) -> tuple[bool, CheckResult]:
    """pyxform's verdict (converts or not) and ours, for one form."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            convert(xlsform=str(path), form_name="data")
        converts = True
    except Exception:
        converts = False
    return converts, check_form(path, files=repository_files(path))


def name_of(path: Path) -> str:
    return path.relative_to(REAL).as_posix()


def test_the_forms_are_there() -> None:
    assert len(FORMS) >= 60, "tests/surveys/forms/real is missing forms"


def test_acceptance_figure() -> None:
    converted = [p for p in FORMS if verdicts(p)[0]]
    accepted = sorted(name_of(p) for p in converted if verdicts(p)[1].ok)
    as_they_stand = [p for p in converted if verdicts(p)[1].answerable]
    print(  # noqa: T201 - the figure the issue asks for
        f"\nreal XLSForms accepted: {len(accepted)} / {len(converted)} converted by pyxform; "
        f"answerable with their repository's files: {len(as_they_stand)}; "
        f"waiting for choice files their repository lacks: {len(accepted) - len(as_they_stand)}"
    )
    assert ACCEPTED <= set(accepted), f"no longer accepted: {sorted(ACCEPTED - set(accepted))}"


WAITING = sorted(p for p in FORMS if name_of(p) in ACCEPTED and verdicts(p)[1].missing_files)


def test_forms_waiting_for_files_say_which_file_and_columns() -> None:
    assert WAITING, "no accepted form waits for a file"
    for path in WAITING:
        result = verdicts(path)[1]
        for name in result.missing_files:
            message = next(p.message for p in result.warnings if p.subject == name)
            assert "must be uploaded with the form" in message
            assert all(column in message for column in instance_columns(result.form)[name])


@pytest.mark.parametrize("path", WAITING, ids=name_of)
def test_forms_become_answerable_once_their_files_are_attached(path: Path) -> None:
    form = verdicts(path)[1].form
    assert form is not None
    files = {name: made_up_file(name, columns) for name, columns in instance_columns(form).items()}
    result = check_form(path, files={**repository_files(path), **files})
    assert result.answerable, [p.describe() for p in result.errors] + result.missing_files
    attached = result.form
    assert attached is not None
    selects = [
        f for f in attached.fields() if f.choice_list in attached.file_choice_lists and f.kind != "calculate"
    ]
    for select in selects:  # the choices are the file's items
        assert [c.name for c in attached.choice_lists[select.choice_list or ""].choices] == ["v0", "v1", "v2"]
    evaluation = evaluate_answers(attached, answers_picking(attached, "v1"))
    broken = {
        k: s.errors
        for k, s in evaluation.fields.items()
        if any("calculate" in e or "評価" in e for e in s.errors)
    }
    assert not broken
    picked = [s for s in evaluation.fields.values() if s.name in {f.name for f in selects}]
    assert all(s.value == "v1" and not s.errors for s in picked), picked
    lookups = [
        s.value
        for s in evaluation.fields.values()
        if s.kind == "calculate" and s.relevant and "instance(" in (attached.find(s.name).calculation or "")  # type: ignore[union-attr]
    ]
    if lookups:  # the lookups find the item picked (or nothing, when the form looks it up by another column)
        assert any(isinstance(v, str) and v.endswith("1") for v in lookups), lookups
        for value in lookups:  # a column of item 1, its point (latitude first, as ODK writes it), or nothing
            assert value in ("", "v1", "35 140 0 0") or re.fullmatch(r"[\w:.-]+-1", str(value)), value


def test_a_refused_answer_is_not_in_the_file() -> None:
    path = REAL / "cht" / "e2e-default-enketo-select_from_file.xlsx"
    result = verdicts(path)[1]
    assert result.answerable
    assert result.form is not None
    labels = [c.label["default"] for c in result.form.choice_lists["colors.xml"].choices]
    assert labels == ["Red", "Green", "Blue"]  # from colors.xml, cht-core's own file
    assert not evaluate_answers(result.form, {"colors": "green"}).errors()
    assert evaluate_answers(result.form, {"colors": "pink"}).errors() == {
        "colors": ["選択肢の中から選んでください"]
    }


@pytest.mark.parametrize("path", FORMS, ids=name_of)
def test_no_form_pyxform_refuses_is_accepted(path: Path) -> None:
    converts, result = verdicts(path)
    if not converts:
        assert not result.ok


@pytest.mark.parametrize("path", FORMS, ids=name_of)
def test_refused_rows_cause_no_second_false_message(path: Path) -> None:
    _, result = verdicts(path)
    refused = {p.subject for p in result.problems if p.message.startswith("not supported: question type")}
    for problem in result.errors:
        missing = re.search(r"no question named '([^']+)'", problem.message)
        assert missing is None or missing.group(1) not in refused, problem.describe()
        assert problem.sheet is not None or "pyxform" in problem.message, problem.describe()


# ------------------------------------------------------------------------------------------ answered for real

ANSWERABLE_SHARE = 0.9
"""Issue 18: at least this share of the forms pyxform converts are accepted and answerable (with their files)."""
MAX_STEPS = 200
"""Pages posted for one form at most (a form that loops would otherwise never end)."""
MAX_TRIES = 30
"""Posts of one page at most: new questions appear as earlier ones are answered, wrong values are replaced."""
CANDIDATES: dict[str, list[str]] = {
    "integer": ["1", "100", "3", "40", "0"],
    "decimal": ["1", "36.5", "100", "20", "0.5"],
    "range": ["1", "5", "10"],
    "text": ["テスト回答です", "abcde12345"],
    "geopoint": ["35.6812 139.7671"],
    "geotrace": ["35.6812 139.7671; 35.6900 139.7700"],
    "geoshape": ["35.6812 139.7671; 35.6900 139.7700; 35.7000 139.7600; 35.6812 139.7671"],
    "date": ["2025-10-01"],
    "time": ["10:00"],
    "dateTime": ["2025-10-01T10:00"],
    "barcode": ["12345"],
}
"""Values a household types, by question type, tried in order until the page accepts them."""


@dataclass
class Answered:
    """One form's fate: accepted, the files it still lacked, whether a household opened every page and
    submitted (with those files attached), and why not."""

    name: str
    accepted: bool
    missing: list[str] = field(default_factory=list)
    refused_opening: str = ""
    submitted: bool = False
    why_not: str = ""


def _kinds_by_path(form: Form) -> dict[str, str]:
    """Each field's type by its page key without roster numbers ("group/sub/name")."""
    return {"/".join([*(p.name for p in parents), node.name]): node.kind for node, parents in form.walk()}


def _options(html: str, key: str) -> list[str]:
    """The values offered for a choice question on the page (radio buttons, checkboxes or a list)."""
    found = re.findall(rf'name="{re.escape(key)}" value="([^"]*)"', html)
    select = re.search(rf'<select[^>]*name="{re.escape(key)}"[^>]*>(.*?)</select>', html, re.S)
    if select:
        found += re.findall(r'<option value="([^"]+)"', select.group(1))
    return [unescape(v) for v in found if v]


def _value(kind: str, key: str, html: str, attempt: int) -> Any:
    """The `attempt`-th value to try for a question; None when there is nothing more to try (left blank)."""
    if kind.startswith("select") or kind == "rank":
        options = _options(html, key)
        if kind == "rank" or not options or attempt >= len(options):
            return None
        return [options[attempt]] if kind.startswith("select_multiple") else options[attempt]
    candidates = CANDIDATES.get(kind, [])
    return candidates[attempt] if attempt < len(candidates) else None


def _post_one_page(client: Client, url: str, kinds: dict[str, str]) -> HttpResponse:
    """Fill a page as a household would, trying other values where the page says an answer is wrong."""
    attempts: dict[str, int] = {}
    response: Any = None
    for _ in range(MAX_TRIES):
        html = client.get(url).content.decode()
        values: dict[str, Any] = {}
        for key in shown_keys(html):
            value = _value(kinds.get(re.sub(r"\[\d+\]", "", key), ""), key, html, attempts.get(key, 0))
            if value is not None:
                values[key] = value
        response = post_page(client, url, values, page_html=html)
        if response.status_code not in (200, 422):  # 200: the answers brought new questions or choices
            return response
        wrong = response.content.decode()
        for key in shown_keys(wrong):
            if f'id="{field_id(key)}-error"' in wrong:
                attempts[key] = attempts.get(key, 0) + 1
    return response


def _answer_every_page(client: Client, form: Form) -> str:
    """Open every page, answer them in order, submit; '' when the answers were accepted, else why not."""
    home = client.get("/answer/start/").content.decode()
    pages = re.findall(r'<li><a href="(/answer/q/[^"]+/)">', home)
    for url in pages:
        if client.get(url).status_code != 200:
            return f"page {url} does not open"
    kinds = _kinds_by_path(form)
    url = pages[0] if pages else "/answer/review/"
    for _ in range(MAX_STEPS):
        if not url.startswith("/answer/q/"):
            break
        response = _post_one_page(client, url, kinds)
        if response.status_code != 302:
            return f"page {url} refused every answer tried ({response.status_code})"
        url = response["Location"]
    review = client.get("/answer/review/").content.decode()
    version = re.search(r'name="version" value="(\d+)"', review)
    if version is None:
        return "the review page has no submit button"
    submitted = client.post("/answer/review/", {"version": version.group(1)})
    if submitted.status_code != 302 or not submitted["Location"].endswith("/receipt/"):
        errors = re.findall(r'<a href="[^"]*\?check=1#[^"]*">([^<]*)</a>', submitted.content.decode())
        return f"submission refused ({submitted.status_code}): {errors[:3]}"
    return ""


def _answered(path: Path, town: Municipality) -> Answered:
    """Import the form as a census of `town`; if it lacks files, check that it cannot be opened, attach files
    made from the columns it reads, then have a household answer it from the first page to the receipt."""
    result = verdicts(path)[1]
    fate = Answered(name_of(path), result.ok)
    if not result.ok:
        return fate
    now = timezone.now()
    new = NewSurvey(name_of(path)[:200], now.date(), now - timedelta(days=1), now + timedelta(days=9))
    system = Actor.system("test")
    survey = create_survey_round(
        town, path.read_bytes(), new, form_filename=path.name, by=system, files=repository_files(path)
    ).survey
    fate.missing = queries.missing_files(survey)
    if fate.missing:
        try:
            issue_access_keys(survey, by=system)
        except SurveyError as refused:
            fate.refused_opening = str(refused)
        form = queries.questionnaire_form(survey.questionnaire_version)
        files = {name: made_up_file(name, columns) for name, columns in instance_columns(form).items()}
        attach_questionnaire_files(survey, {n: files[n] for n in fate.missing}, by=system)
        survey.refresh_from_db()
    login_id, key = issue_keys_to(survey, [survey.cases.order_by("id").first()], by=system)[0]
    client = Client()
    if sign_in(client, login_id, key).status_code != 302:
        fate.why_not = "sign-in refused"
        return fate
    fate.why_not = _answer_every_page(client, queries.questionnaire_form(survey.questionnaire_version))
    fate.submitted = not fate.why_not
    return fate


@pytest.mark.usefixtures("fast_password_hashing")
def test_the_forms_pyxform_converts_are_accepted_and_answered_once_their_files_are_attached(
    town_a: Municipality,
) -> None:
    converted = [p for p in FORMS if verdicts(p)[0]]
    fates = [_answered(path, town_a) for path in converted]
    accepted = [f for f in fates if f.accepted]
    answered = [f for f in accepted if f.submitted]
    waiting = [f for f in accepted if f.missing]
    print(  # noqa: T201 - the figure issue 18 asks for
        f"\nof {len(converted)} real XLSForms pyxform converts: accepted {len(accepted)}; "
        f"accepted and answered from the first page to the receipt {len(answered)} "
        f"({len(answered) / len(converted):.0%}), {len(waiting)} of them once their missing files were "
        f"attached (each refused for opening before)"
    )
    for fate in fates:
        if not fate.submitted:
            print(f"  not answerable: {fate.name}: {fate.why_not or 'not accepted'}")  # noqa: T201
    assert len(answered) / len(converted) >= ANSWERABLE_SHARE
    for fate in waiting:
        assert fate.refused_opening, f"{fate.name} was opened while missing {fate.missing}"
        assert all(name in fate.refused_opening for name in fate.missing), fate.refused_opening
        assert "添付されていません" in fate.refused_opening
