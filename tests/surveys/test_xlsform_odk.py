"""ODK features real forms rely on: metadata, locations, times, or_other, last-saved, ODK functions."""

from __future__ import annotations

import datetime
import math

from chiiki.surveys.xlsform import (
    Form,
    SimpleContext,
    check_form,
    evaluate,
    evaluate_answers,
    parse_expression,
)

TODAY = datetime.date(2025, 10, 1)
HEADER = "| | type | name | label::日本語 (ja) | relevant | calculation | constraint |\n"


def form_of(rows: str, choices: str = "", settings: str = "") -> tuple[Form | None, list[str], list[str]]:
    text = "| survey |\n" + HEADER + rows
    if choices:
        text += "| choices |\n| | list_name | name | label::日本語 (ja) |\n" + choices
    if settings:
        text += "| settings |\n" + settings
    result = check_form(text.encode(), filename="form.md", cross_check=False)
    return result.form, [p.describe() for p in result.errors], [p.describe() for p in result.warnings]


def calc(text: str, **values: object) -> object:
    return evaluate(parse_expression(text), SimpleContext(values=dict(values), today_date=TODAY))  # type: ignore[arg-type]


def test_metadata_questions_are_filled_by_the_server() -> None:
    form, errors, _ = form_of(
        "| | start | started | | | | |\n| | username | user | | | | |\n| | today | day | | | | |\n"
        "| | deviceid | device | | | | |\n| | text | name | 名前 | | | |\n"
    )
    assert errors == []
    assert form is not None
    assert [(f.kind, f.meta) for f in form.fields()][:4] == [
        ("calculate", "start"),
        ("calculate", "username"),
        ("calculate", "today"),
        ("calculate", "deviceid"),
    ]
    evaluation = evaluate_answers(
        form,
        {"name": "山田"},
        today=TODAY,
        metadata={"username": "123456789012", "start": "2025-10-01T09:00"},
    )
    assert evaluation.values()["user"] == "123456789012"
    assert evaluation.values()["started"] == "2025-10-01T09:00"
    assert evaluation.values()["day"] == TODAY
    assert "device" not in evaluation.values()  # not given: empty
    assert Form.from_json(form.to_json()).fields()[0].meta == "start"


def test_geopoint_time_and_datetime_answers_are_checked() -> None:
    form, errors, _ = form_of(
        "| | geopoint | where | 場所 | | | |\n| | time | at | 時刻 | | | |\n"
        "| | datetime | when | 日時 | | | |\n| | geoshape | area | 範囲 | | | |\n"
    )
    assert errors == []
    assert form is not None
    good = {
        "where": "35.6812, 139.7671",
        "at": "14:30",
        "when": "2025-10-01 14:30",
        "area": "1 1; 1 2; 2 2; 1 1",
    }
    evaluation = evaluate_answers(form, good, today=TODAY, language="en")
    assert evaluation.errors() == {}
    bad = {"where": "north", "at": "25:00", "when": "tomorrow", "area": "1 1; 1 2"}
    errors_by_key = evaluate_answers(form, bad, today=TODAY, language="en").errors()
    assert errors_by_key["where"] == ["Enter latitude and longitude like 35.6812 139.7671"]
    assert set(errors_by_key) == {"where", "at", "when", "area"}
    assert evaluate_answers(form, {"where": "91 10"}, today=TODAY).errors()["where"]


def test_or_other_adds_an_other_choice_and_a_text_box() -> None:
    form, errors, _ = form_of(
        "| | select_one colour or_other | colour | 色 | | | |\n", choices="| | colour | red | 赤 |\n"
    )
    assert errors == []
    assert form is not None
    assert [c.name for c in form.choice_lists["colour"].choices] == ["red", "other"]
    other = form.fields()[1]
    assert other.name == "colour_other"
    shown = evaluate_answers(form, {"colour": "other"}, today=TODAY).fields
    assert shown["colour_other"].relevant
    assert not evaluate_answers(form, {"colour": "red"}, today=TODAY).fields["colour_other"].relevant


def test_an_unsupported_row_is_reported_once_by_name() -> None:
    _, errors, _ = form_of(
        "| | osm | photo | 写真 | | | |\n| | text | caption | 説明 | ${photo} != '' | | |\n"
    )
    assert errors == ["survey!A2 [photo]: not supported: question type 'osm'"]


def test_last_saved_is_read_and_empty_on_the_web() -> None:
    form, errors, warnings = form_of(
        "| | text | village | 村 | | | |\n| | calculate | before | | | ${last-saved#village} | |\n"
    )
    assert errors == []
    assert any("last-saved" in w for w in warnings)
    assert form is not None
    assert evaluate_answers(form, {"village": "x"}, today=TODAY).values().get("before", "") == ""
    _, errors, _ = form_of("| | calculate | before | | | ${last-saved#nowhere} | |\n")
    assert any("no question named 'nowhere'" in e for e in errors)


def test_default_language_with_a_description_matches_its_columns() -> None:
    form, _, warnings = form_of(
        "| | text | name | 名前 | | | |\n", settings="| | default_language |\n| | 日本語 (ja) |\n"
    )
    assert form is not None
    assert form.default_language == "ja"
    assert not any("default_language" in w for w in warnings)


def test_a_question_with_a_calculation_is_computed() -> None:
    form, errors, warnings = form_of(
        "| | integer | a | A | | | |\n| | text | b | B | | concat(${a}, '!') | |\n"
    )
    assert errors == []
    assert any("computed, not asked" in w for w in warnings)
    assert form is not None
    assert evaluate_answers(form, {"a": "3"}, today=TODAY).values()["b"] == "3!"


def test_typographic_quotes_are_read_as_quotes_with_a_warning() -> None:
    form, errors, warnings = form_of("| | text | a | A | | | |\n| | text | b | B | ${a}=’x’ | | |\n")
    assert errors == []
    assert any("typographic quotes" in w for w in warnings)
    assert form is not None
    assert evaluate_answers(form, {"a": "x"}, today=TODAY).fields["b"].relevant


def test_odk_date_functions() -> None:
    age = "int((decimal-date-time(today()) - decimal-date-time(${born})) div 365.25)"
    assert calc(age, born=datetime.date(1950, 10, 2)) == 74
    assert calc("decimal-date-time('1970-01-02T00:00:00Z')") == 1.0
    assert calc("format-date(date('2025-01-05'), '%Y年%n月%e日 %a')") == "2025年1月5日 Sun"
    assert calc("date(20000)") == datetime.date(2024, 10, 4)
    assert calc("decimal-time('12:00')") == 0.5
    assert math.isnan(float(calc("decimal-date-time('')")))  # type: ignore[arg-type]


def test_odk_string_and_list_functions() -> None:
    assert calc("normalize-space('  a   b ')") == "a b"
    assert calc("substring-before('2025-10', '-')") == "2025"
    assert calc("substring-after('2025-10', '-')") == "10"
    assert calc("translate('abc', 'ab', 'AB')") == "ABc"
    assert calc("join(', ', 'a', 'b')") == "a, b"
    assert calc("checklist(1, 2, true(), false(), true())") is True
    assert calc("weighted-checklist(3, -1, true(), 2, true(), 1)") is True
    assert calc("pow(2, 10)") == 1024
    assert calc("digest('abc', 'SHA-256', 'hex')").startswith("ba7816bf")  # type: ignore[union-attr]
    assert calc("once(${x})", x="kept") == "kept"


def test_the_same_name_in_two_groups_is_allowed_unless_referred_to() -> None:
    rows = (
        "| | begin group | mother | 母 | | | |\n| | integer | age | 年齢 | | | |\n| | end group | | | | | |\n"
        "| | begin group | father | 父 | | | |\n| | integer | age | 年齢 | | | . < 130 |\n"
        "| | end group | | | | | |\n"
    )
    form, errors, _ = form_of(rows)
    assert errors == []
    assert form is not None
    answers = {"mother": {"age": "40"}, "father": {"age": "200"}}
    evaluation = evaluate_answers(form, answers, today=TODAY, language="en")
    assert evaluation.fields["mother/age"].errors == []
    assert evaluation.fields["father/age"].errors == ["The value does not meet the condition"]
    _, errors, _ = form_of(rows + "| | calculate | sum | | | ${age} + 1 | |\n")
    assert any("ambiguous" in e for e in errors)


def test_a_range_is_a_number_checked_against_its_bounds() -> None:
    text = (
        "| survey |\n| | type | name | label | parameters |\n"
        "| | range | pain | Pain | start=0 end=10 step=1 |\n| | range | temp | Temperature | start=35.0 end=42.0 |\n"
    )
    result = check_form(text.encode(), filename="form.md", cross_check=False)
    assert result.errors == []
    assert result.form is not None
    assert [f.kind for f in result.form.fields()] == ["integer", "decimal"]
    errors = evaluate_answers(result.form, {"pain": "11", "temp": "36.5"}, today=TODAY).errors()
    assert list(errors) == ["pain"]
