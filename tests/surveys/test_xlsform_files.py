"""Choice files attached to a form (select_one_from_file, instance('…'), pulldata()) and XPath paths.

Each test reads a small form written as pyxform's markdown, attaches the files the way `chiiki survey
check-form --files` and the survey pages do, and checks what a respondent would meet: the choices the
file holds, the answer refused when it is not one of them, the values looked up from the item picked.
"""

from __future__ import annotations

import datetime
import json

import pytest

from chiiki.surveys.xlsform import (
    CheckResult,
    Form,
    FormRejected,
    SimpleContext,
    check_form,
    evaluate,
    evaluate_answers,
    instance_columns,
    load_form,
    parse_expression,
)

TODAY = datetime.date(2025, 10, 1)
HEADER = "| | type | name | label | relevant | calculation | constraint | parameters | choice_filter |\n"
CITIES_CSV = (
    "name,label,label::日本語 (ja),pref,population\n"
    "sapporo,Sapporo,札幌,hokkaido,1960000\n"
    "hakodate,Hakodate,函館,hokkaido,240000\n"
    "sendai,Sendai,仙台,miyagi,1090000\n"
).encode()


def check(rows: str, files: dict[str, bytes] | None = None, choices: str = "") -> CheckResult:
    text = "| survey |\n" + HEADER + rows
    if choices:
        text += "| choices |\n| | list_name | name | label | pref |\n" + choices
    return check_form(text.encode(), filename="form.md", cross_check=False, files=files)


def described(result: CheckResult) -> tuple[list[str], list[str]]:
    return [p.describe() for p in result.errors], [p.describe() for p in result.warnings]


CITY_ROWS = (
    "| | select_one_from_file cities.csv | city | City | | | | | |\n"
    "| | calculate | population | | | instance('cities')/root/item[name=${city}]/population | | | |\n"
    "| | calculate | pref | | | pulldata('cities', 'pref', 'name', ${city}) | | | |\n"
    "| | calculate | count_hokkaido | | | count(instance('cities')/root/item[pref='hokkaido']) | | | |\n"
)


def test_choices_come_from_the_csv_and_the_answer_is_checked_against_them() -> None:
    result = check(CITY_ROWS, {"cities.csv": CITIES_CSV})
    assert result.answerable, described(result)
    form = result.form
    assert form is not None
    choices = form.choice_lists["cities.csv"].choices
    assert [c.name for c in choices] == ["sapporo", "hakodate", "sendai"]
    assert choices[1].label == {"default": "Hakodate", "ja": "函館"}
    good = evaluate_answers(form, {"city": "hakodate"}, today=TODAY)
    assert good.errors() == {}
    assert good.values()["population"] == "240000"
    assert good.values()["pref"] == "hokkaido"
    assert good.values()["count_hokkaido"] == 2.0
    bad = evaluate_answers(form, {"city": "osaka"}, today=TODAY)
    assert bad.errors() == {"city": ["選択肢の中から選んでください"]}


def test_xml_and_geojson_files_are_read_as_odk_defines_them() -> None:
    xml = b"<root><item><name>a</name><label>Alpha</label></item><item><name>b</name><label>Beta</label></item></root>"
    geojson = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "id": 7,
                    "geometry": {"type": "Point", "coordinates": [139.7671, 35.6812]},
                    "properties": {"title": "Tokyo station", "amenity": "station"},
                },
                {
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": [[139.0, 35.0], [139.5, 35.5]]},
                    "properties": {"id": "road", "title": "Road"},
                },
            ],
        }
    ).encode()
    rows = (
        "| | select_one_from_file letters.xml | letter | Letter | | | | | |\n"
        "| | select_multiple_from_file places.geojson | places | Places | | | | | |\n"
        "| | calculate | where | | | instance('places')/root/item[id=${places}]/geometry | | | |\n"
    )
    result = check(rows, {"letters.xml": xml, "places.geojson": geojson})
    assert result.answerable, described(result)
    form = result.form
    assert form is not None
    assert [(c.name, c.label["default"]) for c in form.choice_lists["letters.xml"].choices] == [
        ("a", "Alpha"),
        ("b", "Beta"),
    ]
    places = form.choice_lists["places.geojson"].choices
    assert [(c.name, c.label["default"]) for c in places] == [("7", "Tokyo station"), ("road", "Road")]
    evaluation = evaluate_answers(form, {"letter": "b", "places": ["7"]}, today=TODAY)
    assert evaluation.errors() == {}
    assert evaluation.values()["where"] == "35.6812 139.7671 0 0"  # latitude first, as ODK writes a point
    assert form.instances["places"][1]["geometry"] == "35 139 0 0; 35.5 139.5 0 0"


def test_parameters_name_the_value_and_label_columns_and_choice_filter_reads_the_file() -> None:
    rows = (
        "| | select_one prefs | home_pref | Prefecture | | | | | |\n"
        "| | select_one_from_file cities.csv | city | City | | | | value=population label=pref | |\n"
        "| | select_one_from_file cities.csv | city2 | City | | | | | pref=${home_pref} |\n"
    )
    choices = "| | prefs | hokkaido | Hokkaido | |\n| | prefs | miyagi | Miyagi | |\n"
    result = check(rows, {"cities.csv": CITIES_CSV}, choices)
    assert result.answerable, described(result)
    form = result.form
    assert form is not None
    city = next(f for f in form.fields() if f.name == "city")
    assert next((c.name, c.label["default"]) for c in form.choice_lists[city.choice_list or ""].choices) == (
        "1960000",
        "hokkaido",
    )
    evaluation = evaluate_answers(form, {"home_pref": "miyagi", "city2": "sapporo"}, today=TODAY)
    assert evaluation.fields["city2"].choices == ["sendai"]
    assert evaluation.errors() == {"city2": ["選択肢が変わりました。もう一度選んでください"]}


def test_a_missing_file_is_accepted_with_the_message_to_upload_it_and_refused_for_answering() -> None:
    result = check(CITY_ROWS)
    assert result.ok
    assert not result.answerable
    assert result.missing_files == ["cities.csv"]
    message = next(p.message for p in result.warnings if p.subject == "cities.csv")
    assert "must be uploaded with the form" in message
    assert "name, label, population, pref" in message  # the columns the form reads
    assert instance_columns(result.form) == {"cities.csv": ["name", "label", "population", "pref"]}  # type: ignore[arg-type]
    text = ("| survey |\n" + HEADER + CITY_ROWS).encode()
    with pytest.raises(FormRejected) as refused:
        load_form(text, filename="form.md", cross_check=False)
    assert any(p.severity == "error" and p.subject == "cities.csv" for p in refused.value.problems)
    assert load_form(text, filename="form.md", cross_check=False, files={"cities.csv": CITIES_CSV})


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("cities.csv", "name,label\nsapporo,札幌\n".encode("shift_jis"), "not UTF-8"),
        ("cities.csv", b"name,label\nsapporo,Sapporo,extra\n", "row 2 has extra cells"),
        ("cities.csv", b"name,name\na,b\n", "duplicate column 'name'"),
        ("cities.csv", b"", "no header row"),
        ("letters.xml", b"<list><item/></list>", "the outer element is <list>"),
        ("letters.xml", b"<root><item>", "not well-formed XML"),
        ("letters.xml", b'<!DOCTYPE r [<!ENTITY e "x">]><root/>', "not well-formed XML"),
        ("places.geojson", b'{"type": "Feature"}', "FeatureCollection"),
        (
            "places.geojson",
            b'{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": '
            b'{"type": "Point", "coordinates": [200, 95]}}]}',
            "position out of range",
        ),
    ],
)
def test_a_bad_file_is_refused_naming_the_file_and_the_reason(name: str, data: bytes, fragment: str) -> None:
    rows = f"| | select_one_from_file {name} | pick | Pick | | | | | |\n"
    result = check(rows, {name: data})
    assert not result.ok
    errors = [p for p in result.errors if p.subject == name]
    assert errors, described(result)
    assert fragment in errors[0].message
    assert errors[0].message.startswith(name)


def test_an_unused_file_is_a_warning_and_a_wrong_ending_an_error() -> None:
    result = check(CITY_ROWS, {"cities.csv": CITIES_CSV, "notes.csv": b"a\n1\n"})
    assert result.answerable
    assert any(p.subject == "notes.csv" and "not used by the form" in p.message for p in result.warnings)
    wrong = check("| | select_one_from_file cities.txt | city | City | | | | | |\n")
    assert any("must end in .csv, .xml or .geojson" in p.message for p in wrong.errors)


def test_an_undeclared_instance_is_named_and_may_be_uploaded_in_any_of_the_three_forms() -> None:
    rows = (
        "| | select_one_from_file cities.csv | city | City | | | | | |\n"
        "| | calculate | area | | | instance('areas')/root/item[name=${city}]/km2 | | | |\n"
    )
    result = check(rows, {"cities.csv": CITIES_CSV})
    assert result.missing_files == ["areas.csv"]
    assert any(
        "instance('areas')" in p.message and "ODK Collect would not find it" in p.message
        for p in result.warnings
    )
    areas = b"<root><item><name>sendai</name><km2>786</km2></item></root>"
    attached = check(rows, {"cities.csv": CITIES_CSV, "areas.xml": areas})
    assert attached.answerable, described(attached)
    assert evaluate_answers(attached.form, {"city": "sendai"}).values()["area"] == "786"  # type: ignore[arg-type]


def test_a_choice_list_of_the_choices_sheet_is_an_instance_too() -> None:
    rows = (
        "| | select_one prefs | home_pref | Prefecture | | | | | |\n"
        "| | calculate | pref_label | | | instance('prefs')/root/item[name=${home_pref}]/label | | | |\n"
    )
    result = check(rows, choices="| | prefs | hokkaido | Hokkaido | |\n| | prefs | miyagi | Miyagi | |\n")
    assert result.answerable, described(result)
    assert evaluate_answers(result.form, {"home_pref": "miyagi"}).values()["pref_label"] == "Miyagi"  # type: ignore[arg-type]


def test_attached_files_survive_storage_as_json() -> None:
    form = check(CITY_ROWS, {"cities.csv": CITIES_CSV}).form
    assert form is not None
    stored = json.loads(json.dumps(form.to_json()))
    assert "cities.csv" not in stored["choice_lists"]  # rebuilt from the instance, not stored twice
    again = Form.from_json(stored)
    assert again.missing_files() == []
    assert [c.name for c in again.choice_lists["cities.csv"].choices] == ["sapporo", "hakodate", "sendai"]
    assert evaluate_answers(again, {"city": "sendai"}).values()["population"] == "1090000"


def test_instance_queries_filter_by_position_and_by_several_predicates() -> None:
    items = {"c": [{"name": "a", "n": "1"}, {"name": "b", "n": "2"}, {"name": "c", "n": "2"}]}
    ctx = SimpleContext(instances=items)
    assert evaluate(parse_expression("instance('c')/root/item[2]/name"), ctx) == ("b",)
    assert evaluate(parse_expression("instance('c')/root/item[n=2][name!='b']/name"), ctx) == ("c",)
    assert evaluate(parse_expression("count(instance('c')/root/item[n > 1])"), ctx) == 2.0
    assert evaluate(parse_expression("pulldata('c', 'n', 'name', 'zz')"), ctx) == ""


# ------------------------------------------------------------------------------------------ XPath paths

PATH_ROWS = (
    "| | begin group | household | Household | | | | | |\n"
    "| | integer | size | Size | | | | | |\n"
    "| | calculate | double | | | ../size * 2 | | | |\n"
    "| | calculate | absolute | | | /data/household/size + 1 | | | |\n"
    "| | end group | | | | | | | |\n"
    "| | begin group | inputs | Inputs | ./source = 'user' | | | | |\n"
    "| | text | source | Source | | | | | |\n"
    "| | end group | | | | | | | |\n"
    "| | note | big | Big household | ../household/size > 4 | | | | |\n"
    "| | integer | rooms | Rooms | | | . <= ../household/size | | |\n"
)


def test_relative_and_absolute_paths_read_the_question_they_lead_to() -> None:
    result = check(PATH_ROWS)
    assert result.ok, described(result)
    form = result.form
    assert form is not None
    evaluation = evaluate_answers(
        form, {"household": {"size": "5"}, "inputs": {"source": "user"}, "rooms": "9"}
    )
    values = evaluation.values()
    assert values["household/double"] == 10.0
    assert values["household/absolute"] == 6.0
    assert evaluation.fields["big"].relevant
    assert evaluation.errors() == {"rooms": ["入力された値が条件に合いません"]}
    # A group whose relevance reads a question inside it (CHT's `./source`) is no cycle.
    assert evaluation.fields["inputs/source"].relevant
    hidden = evaluate_answers(form, {"inputs": {"source": "task"}})
    assert not hidden.fields["inputs/source"].relevant


def test_a_path_leading_nowhere_is_always_empty_with_a_warning_as_odk_reads_it() -> None:
    rows = (
        "| | select_one yes_no | fee | Fee | | | | | |\n"
        "| | calculate | paid | | | yes | | | |\n"
        "| | calculate | other | | | ../nothing/here | | | |\n"
    )
    result = check(rows, choices="| | yes_no | yes | Yes | |\n| | yes_no | no | No | |\n")
    assert result.ok, described(result)
    warnings = [p.message for p in result.warnings]
    assert any(
        "'yes' leads to no question" in w and "did you mean the text 'yes' or ${yes}" in w for w in warnings
    )
    assert any("'../nothing/here' leads to no question" in w for w in warnings)
    values = evaluate_answers(result.form, {"fee": "yes"}).values()  # type: ignore[arg-type]
    assert "paid" not in values
    assert "other" not in values


def test_dot_in_a_calculation_is_the_value_the_question_was_given() -> None:
    rows = "| | calculate | created_by | | | . | | | |\n| | text | name | Name | | | | | |\n"
    text = "| survey |\n| | type | name | label | calculation | default |\n"
    text += "| | calculate | created_by | | . | staff |\n| | calculate | none | | . | |\n"
    result = check_form(text.encode(), filename="form.md", cross_check=False)
    assert result.ok, described(result)
    assert evaluate_answers(result.form, {}).values() == {"created_by": "staff"}  # type: ignore[arg-type]
    assert check(rows).ok


def test_a_path_cycle_is_still_refused() -> None:
    rows = "| | calculate | a | | | ../b + 1 | | | |\n| | calculate | b | | | ../a + 1 | | | |\n"
    assert any("circular reference" in p.message for p in check(rows).errors)


# --------------------------------------------------------------------------------------- other ODK faults


def test_cht_date_differences() -> None:
    def run(text: str) -> object:
        return evaluate(parse_expression(text), SimpleContext())

    assert run("cht:difference-in-days('2025-01-31', '2025-03-01')") == 29.0
    assert run("cht:difference-in-weeks('2025-01-01', '2025-01-15')") == 2.0
    assert run("cht:difference-in-months('2025-01-31', '2025-02-28')") == 0.0
    assert run("cht:difference-in-months('2025-01-15', '2025-03-15')") == 2.0
    assert run("cht:difference-in-years('1990-10-02', '2025-10-01')") == 34.0
    assert run("cht:difference-in-years('2025-10-01', '1990-10-02')") == -34.0
    assert run("cht:difference-in-days('', '2025-01-01')") == ""


def test_mixed_typographic_quotes_close_at_the_nearest_quote() -> None:
    tree = parse_expression("${t}=’hotel’ or ${t}=’hostel' or ${t}=’guest_house'")
    assert evaluate(tree, SimpleContext(values={"t": "hostel"})) is True
    assert evaluate(tree, SimpleContext(values={"t": "camp"})) is False


def test_a_default_that_is_no_choice_is_a_warning_and_not_preselected() -> None:
    text = "| survey |\n| | type | name | label | default |\n| | select_one wards | ward | Ward | Fixme |\n"
    text += "| choices |\n| | list_name | name | label |\n| | wards | a | A |\n"
    result = check_form(text.encode(), filename="form.md", cross_check=False)
    assert result.ok, described(result)
    assert any("default 'Fixme'" in p.message and "not preselected" in p.message for p in result.warnings)
    state = evaluate_answers(result.form, {}).fields["ward"]  # type: ignore[arg-type]
    assert state.value is None
    assert not state.errors


def test_entities_and_media_only_notes_are_warnings_not_refusals() -> None:
    text = "| survey |\n| | type | name | label | image | save_to |\n"
    text += "| | note | logo | | logo.png | |\n| | text | place | Place | | name |\n"
    text += "| entities |\n| | dataset | label |\n| | places | ${place} |\n"
    result = check_form(text.encode(), filename="form.md", cross_check=False)
    assert result.ok, described(result)
    warnings = " ".join(p.message for p in result.warnings)
    assert "no ODK Central entity is created" in warnings
    assert "save_to ignored" in warnings
    assert "a note with only media" in warnings


def test_rank_orders_every_option_once() -> None:
    text = "| survey |\n| | type | name | label |\n| | rank seasons | seasons | Seasons |\n"
    text += "| choices |\n| | list_name | name | label |\n| | seasons | spring | Spring |\n| | seasons | autumn | Autumn |\n"
    result = check_form(text.encode(), filename="form.md", cross_check=False)
    assert result.ok, described(result)
    form = result.form
    assert form is not None
    assert form.fields()[0].kind == "rank"
    assert evaluate_answers(form, {"seasons": ["autumn", "spring"]}).values() == {
        "seasons": ["autumn", "spring"]
    }
    message = ["すべての選択肢に、1から順に異なる番号を付けてください"]
    assert evaluate_answers(form, {"seasons": ["autumn"]}).errors() == {"seasons": message}
    assert evaluate_answers(form, {"seasons": ["rank-unsure:1:autumn,1:spring"]}).errors() == {
        "seasons": message
    }
    assert Form.from_json(form.to_json()).fields()[0].kind == "rank"
