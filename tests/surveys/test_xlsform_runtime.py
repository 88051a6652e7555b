"""Static checks, JSON storage and server-side evaluation of answers (checks.py, model.py, runtime.py)."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from chiiki.surveys.xlsform import Form, FormRejected, check_form, evaluate_answers, load_form

CENSUS = Path(__file__).resolve().parents[2] / "src/chiiki/demo/forms/census_demo.xlsx"
TODAY = datetime.date(2025, 10, 1)


def md_form(survey_rows: str, choices: str = "") -> bytes:
    text = "| survey |\n" + survey_rows
    if choices:
        text += "| choices |\n" + choices
    return text.encode()


HEADER = "| | type | name | label::ja | relevant | calculation | constraint | required | repeat_count |\n"


def errors_of(data: bytes) -> list[str]:
    return [p.describe() for p in check_form(data, filename="form.md", cross_check=False).errors]


# ------------------------------------------------------------------------------------------ static checks


def test_unknown_reference_is_reported_with_its_cell() -> None:
    data = md_form(HEADER + "| | integer | age | 年齢 | ${agee} > 3 | | | | |\n")
    result = check_form(data, filename="form.md", cross_check=False)
    [problem] = result.errors
    assert (problem.sheet, problem.row, problem.column) == ("survey", 2, "D")
    assert problem.subject == "${agee} > 3"
    assert "agee" in problem.message


def test_circular_calculations_are_rejected() -> None:
    data = md_form(
        HEADER
        + "| | calculate | a | | | ${b} + 1 | | | |\n"
        + "| | calculate | b | | | ${c} + 1 | | | |\n"
        + "| | calculate | c | | | ${a} + 1 | | | |\n"
    )
    messages = errors_of(data)
    assert any("circular reference: ${a} → ${b} → ${c} → ${a}" in m for m in messages)


def test_a_question_whose_relevance_depends_on_itself_is_a_cycle() -> None:
    data = md_form(HEADER + "| | integer | age | 年齢 | ${age} > 3 | | | | |\n")
    assert any("circular" in m for m in errors_of(data))


def test_duplicate_names_and_missing_choice_lists_are_listed_together() -> None:
    data = md_form(
        HEADER
        + "| | integer | age | 年齢 | | | | | |\n"
        + "| | text | age | 年齢 | | | | | |\n"
        + "| | select_one nolist | pick | 選ぶ | | | | | |\n"
        + "| | select_one_external places | where | 場所 | | | | | |\n"
        + "| | frobnicate | what | 何 | | | | | |\n"
    )
    messages = errors_of(data)
    assert any("survey!B3 [age]" in m and "duplicate name" in m for m in messages)
    assert any("survey!A4 [nolist]" in m and "missing choice list" in m for m in messages)
    assert any("not supported: question type 'select_one_external places'" in m for m in messages)
    assert any("unknown question type 'frobnicate'" in m for m in messages)


def test_syntax_error_reports_expression_and_position() -> None:
    data = md_form(HEADER + "| | integer | age | 年齢 | | | . > (3 | | |\n")
    [message] = errors_of(data)
    assert "survey!F2 [. > (3]" in message
    assert "位置 7" in message


def test_load_form_raises_with_every_problem() -> None:
    data = md_form(HEADER + "| | integer | a | A | ${x} | | | | |\n| | integer | b | B | ${y} | | | | |\n")
    with pytest.raises(FormRejected) as caught:
        load_form(data, filename="form.md", cross_check=False)
    assert len(caught.value.problems) == 2


# ----------------------------------------------------------------------------------------------- storage


def test_form_round_trips_through_json() -> None:
    form = load_form(CENSUS)
    stored = json.loads(json.dumps(form.to_json(), ensure_ascii=False))
    assert Form.from_json(stored) == form
    assert stored["version"] == "2025100101"


def test_from_json_refuses_other_documents() -> None:
    with pytest.raises(ValueError, match="not a stored"):
        Form.from_json({"title": "x"})


# ------------------------------------------------------------------------------------------------ runtime


def census_answers() -> dict[str, object]:
    return {
        "household": {"hh_size": "2", "dwelling_type": "house", "tenure": "own"},
        "members": [
            {"member_name": "山田太郎", "relation": "head", "sex": "male", "birth_year": "1970",
             "birth_month": "4", "work_status": "employed", "workplace": "市役所"},
            {"member_name": "山田花子", "relation": "spouse", "sex": "female", "birth_year": "2015",
             "birth_month": "5"},
        ],
    }  # fmt: skip


def test_census_demo_has_pages_languages_and_a_member_roster() -> None:
    form = load_form(CENSUS)
    assert [page.name for page in form.pages()] == ["household", "members", "closing"]
    assert form.languages[:2] == ["ja", "en"]
    assert form.default_language == "ja"
    assert form.summary()["repeats"] == 1


def test_complete_census_answers_are_valid_and_calculations_run() -> None:
    evaluation = evaluate_answers(load_form(CENSUS), census_answers(), today=TODAY)
    assert evaluation.errors() == {}
    assert evaluation.repeat_counts == {"members": 2}
    assert evaluation.fields["members[1]/age"].value == 55.0
    assert evaluation.fields["closing/n_workers"].value == 1.0


def test_work_status_is_not_asked_of_children() -> None:
    evaluation = evaluate_answers(load_form(CENSUS), census_answers(), today=TODAY)
    assert evaluation.fields["members[1]/work_status"].relevant is True
    assert evaluation.fields["members[2]/work_status"].relevant is False


def test_required_and_constraint_errors_come_in_plain_japanese() -> None:
    answers = census_answers()
    answers["members"][1]["relation"] = "head"  # type: ignore[index]
    answers["members"][1]["sex"] = ""  # type: ignore[index]
    answers["household"]["hh_size"] = "2"  # type: ignore[index]
    errors = evaluate_answers(load_form(CENSUS), answers, today=TODAY).errors()
    assert errors["members[2]/sex"] == ["この項目は必須です"]
    assert errors["members[2]/relation"] == ["世帯主は 1 人目に 1 人だけ記入してください"]


def test_repeat_count_creates_instances_that_must_be_filled() -> None:
    answers = census_answers()
    answers["household"]["hh_size"] = "3"  # type: ignore[index]
    evaluation = evaluate_answers(load_form(CENSUS), answers, today=TODAY)
    assert evaluation.repeat_counts == {"members": 3}
    assert evaluation.errors_on_page("members")["members[3]/member_name"] == ["氏名を入力してください"]
    assert evaluation.errors_on_page("household") == {}


def test_type_errors_accept_full_width_digits_and_reject_text() -> None:
    answers = census_answers()
    answers["household"]["hh_size"] = "２"  # type: ignore[index]
    answers["members"][0]["birth_month"] = "四月"  # type: ignore[index]
    errors = evaluate_answers(load_form(CENSUS), answers, today=TODAY).errors()
    assert "household/hh_size" not in errors
    assert errors["members[1]/birth_month"] == ["整数で入力してください"]


def test_messages_can_be_english() -> None:
    answers = census_answers()
    answers["members"][1]["sex"] = "other"  # type: ignore[index]
    errors = evaluate_answers(load_form(CENSUS), answers, today=TODAY, language="en").errors()
    assert errors == {"members[2]/sex": ["Choose one of the options"]}


def test_non_relevant_answers_are_not_stored() -> None:
    answers = census_answers()
    answers["members"][1]["work_status"] = "employed"  # type: ignore[index]
    values = evaluate_answers(load_form(CENSUS), answers, today=TODAY).values()
    assert "members[2]/work_status" not in values
    assert values["members[1]/work_status"] == "employed"


def test_choice_filter_limits_the_allowed_choices() -> None:
    data = md_form(
        "| | type | name | label | choice_filter |\n"
        "| | select_one pref | pref | 都道府県 | |\n"
        "| | select_one city | city | 市区町村 | pref = ${pref} |\n",
        "| | list_name | name | label | pref |\n"
        "| | pref | tokyo | 東京都 | |\n"
        "| | pref | osaka | 大阪府 | |\n"
        "| | city | shinjuku | 新宿区 | tokyo |\n"
        "| | city | sakai | 堺市 | osaka |\n",
    )
    form = load_form(data, filename="form.md", cross_check=False)
    assert evaluate_answers(form, {"pref": "tokyo", "city": "shinjuku"}).errors() == {}
    # A city of another prefecture is a real choice that the filter no longer offers: "choose again".
    assert evaluate_answers(form, {"pref": "tokyo", "city": "sakai"}).errors() == {
        "city": ["選択肢が変わりました。もう一度選んでください"]
    }
    assert evaluate_answers(form, {"pref": "tokyo", "city": "nowhere"}).errors() == {
        "city": ["選択肢の中から選んでください"]
    }


# ---------------------------------------------------------------------------------------------------- CLI


def run_cli(path: Path | str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("survey_check_form", str(path), stdout=out, stderr=err)
    except SystemExit as stop:
        return int(stop.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_cli_prints_a_summary_and_exits_zero_for_the_census_demo() -> None:
    code, out, _ = run_cli(CENSUS)
    assert code == 0
    assert "質問 questions: 12" in out
    assert "繰り返し repeats: 1" in out
    assert "言語 languages: ja, en" in out
    assert "版 version: 2025100101" in out


@pytest.mark.parametrize(
    ("content", "suffix", "fragment"),
    [
        (None, ".xlsx", "file not found"),
        (b"", ".xlsx", "empty"),
        (b"PK\x03\x04garbage" * 10, ".xlsx", "corrupt"),
        (bytes(range(256)) * 4, ".bin", "not an XLSForm file"),
        (b"| survey |\n| | name |\n| | x |\n", ".md", "missing 'type' column"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1junk", ".xls", "cannot open as .xls"),
    ],
)
def test_cli_lists_problems_and_exits_one_for_bad_input(
    tmp_path: Path, content: bytes | None, suffix: str, fragment: str
) -> None:
    path = tmp_path / f"form{suffix}"
    if content is not None:
        path.write_bytes(content)
    code, _, err = run_cli(path)
    assert code == 1
    assert fragment in err
    assert "Traceback" not in err


def test_cli_never_shows_a_traceback_as_a_real_process(tmp_path: Path) -> None:
    path = tmp_path / "junk.xlsx"
    path.write_bytes(b"\x00\x01not a zip")
    done = subprocess.run(
        [sys.executable, "-m", "chiiki", "survey", "check-form", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "XLSForm" in done.stderr
