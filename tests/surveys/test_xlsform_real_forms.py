"""Real-world XLSForms (tests/surveys/forms/real, sources in SOURCES.md): pyxform's verdict against ours.

Each form is converted by pyxform (the reference implementation) and checked by ``check_form``, with the
files its repository attaches to it (``<form>.files/``, e.g. CHT's ``colors.xml``). The test prints the
acceptance figure (accepted / converted by pyxform) and how many of the accepted forms can be answered as
they stand: the HOT forms read GeoJSON/CSV data extracts their server generates, which are not in their
repository, so they are accepted with "upload this file with the form" and counted apart. Those forms are
then given files made up from the columns the form reads (``instance_columns``) and must become
answerable: the choices come from the file and the lookups find the item picked.

It also holds three rules: no form pyxform refuses is accepted, the forms accepted today stay accepted, and
a row refused as "not supported" never causes a second, false "no question named …" message.
"""

from __future__ import annotations

import functools
import json
import re
import warnings
from pathlib import Path
from typing import Any

import pytest
from pyxform.xls2xform import convert

from chiiki.surveys.xlsform import CheckResult, Form, check_form, evaluate_answers, instance_columns

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
