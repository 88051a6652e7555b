"""Django's own form rendering draws every field with the page components (FORM_RENDERER)."""

from __future__ import annotations

import pytest
from django import forms
from django.template import engines
from django.utils import translation
from tests.ui.html import Node, parse


class HouseholdForm(forms.Form):
    """A form with one of each kind of field the components handle."""

    name = forms.CharField(label="世帯主の氏名", help_text="住民票のとおりに書いてください。")
    persons = forms.IntegerField(label="世帯人員", min_value=1)
    floor_area = forms.DecimalField(
        label="床面積",
        required=False,
        widget=forms.NumberInput(attrs={"data-unit": "m²", "data-example": "72.5"}),
    )
    tenure = forms.ChoiceField(
        label="住居の種類", choices=[("own", "持ち家"), ("rent", "借家")], widget=forms.RadioSelect
    )
    needs = forms.MultipleChoiceField(
        label="必要な支援",
        required=False,
        choices=[("a", "買い物"), ("b", "通院")],
        widget=forms.CheckboxSelectMultiple,
    )
    agree = forms.BooleanField(label="内容に同意する")
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["persons"].unit = "人"  # type: ignore[attr-defined]


def render(form: forms.Form, source: str = "{{ form }}") -> Node:
    return parse(engines["django"].from_string(source).render({"form": form}))


def field_box(tree: Node, control_id: str) -> Node:
    """The .field element around a control."""
    node = tree.by_id(control_id)
    while "field" not in node.attrs.get("class", "").split():
        assert node.parent is not None
        node = node.parent
    return node


def test_a_required_field_says_required_in_red_text_in_its_label_and_an_optional_one_says_nothing() -> None:
    with translation.override("ja"):
        tree = render(HouseholdForm())
    label = tree.find("label", for_="id_name")
    marker = label.find("span", class_="required")
    assert marker.text == "※必須"
    assert not tree.find_all(class_="tag"), "the grey pill is gone"
    assert not tree.find("label", for_="id_floor_area").find_all(class_="required")
    with translation.override("en"):
        assert (
            render(HouseholdForm()).find("label", for_="id_name").find("span", class_="required").text
            == "Required"
        )


def test_the_control_is_described_by_its_hint_example_unit_and_error() -> None:
    with translation.override("ja"):
        tree = render(HouseholdForm(data={"persons": "0", "floor_area": "x"}))
    name = tree.by_id("id_name")
    assert name.attrs["aria-invalid"] == "true"
    assert name.attrs["aria-describedby"].split() == ["id_name_helptext", "id_name_error"]
    assert tree.by_id("id_name_helptext").text == "住民票のとおりに書いてください。"
    assert "必須" in tree.by_id("id_name_error").text or "入力" in tree.by_id("id_name_error").text
    area = tree.by_id("id_floor_area")
    assert area.attrs["aria-describedby"].split() == [
        "id_floor_area_example",
        "id_floor_area_unit",
        "id_floor_area_error",
    ]
    assert tree.by_id("id_floor_area_example").text == "例: 72.5"
    # The error text comes after the control, as the design system lays it out.
    box = field_box(tree, "id_floor_area")
    order = [n.attrs.get("id") for n in box.iter() if n.attrs.get("id")]
    assert order.index("id_floor_area") < order.index("id_floor_area_error")


def test_a_unit_sits_beside_its_number_input_from_the_field_or_the_widget() -> None:
    tree = render(HouseholdForm())
    for control, unit in (("id_persons", "人"), ("id_floor_area", "m²")):
        box = tree.by_id(control).parent
        assert box is not None
        assert "field__control" in box.attrs["class"]
        assert box.find("span", class_="field__unit").text == unit
        assert tree.by_id(f"{control}_unit").text == unit
        assert f"{control}_unit" in tree.by_id(control).attrs["aria-describedby"].split()
        assert "input--short" in tree.by_id(control).attrs["class"]


def test_radio_and_checkbox_groups_are_fieldsets_with_each_control_inside_its_own_label() -> None:
    with translation.override("ja"):
        tree = render(HouseholdForm(data={}))
    group = field_box(tree, "id_tenure_0")
    assert group.tag == "fieldset"
    assert group.find("legend").text.startswith("住居の種類")
    assert group.find("legend").find_all("span", class_="required")
    assert "id_tenure_error" in group.attrs["aria-describedby"].split()
    for option in ("id_tenure_0", "id_tenure_1"):
        label = tree.by_id(option).parent
        assert label is not None
        assert label.tag == "label"
        assert label.attrs["for"] == option
    assert field_box(tree, "id_needs_0").tag == "fieldset"


def test_a_single_checkbox_comes_before_its_label_on_one_row() -> None:
    tree = render(HouseholdForm())
    row = tree.by_id("id_agree").parent
    assert row is not None
    assert "choice" in row.attrs["class"]
    tags = [c.tag for c in row.children if isinstance(c, Node)]
    assert tags == ["input", "label"]


def test_the_error_summary_heads_the_form_and_links_every_message_to_its_field() -> None:
    with translation.override("ja"):
        tree = render(HouseholdForm(data={"persons": "0"}))
    summary = tree.by_id("error-summary")
    assert summary.attrs["role"] == "alert"
    assert summary.attrs["tabindex"] == "-1"
    links = {a.attrs["href"] for a in summary.find_all("a")}
    assert {"#id_name", "#id_persons", "#id_tenure_0", "#id_agree"} <= links
    assert tree.iter().index(summary) < tree.iter().index(tree.by_id("id_name"))


def test_hidden_fields_are_rendered_without_a_label() -> None:
    tree = render(HouseholdForm())
    assert tree.by_id("id_token").attrs["type"] == "hidden"
    assert not tree.find_all("label", for_="id_token")


@pytest.mark.parametrize(
    "source",
    ["{{ form.persons.as_field_group }}", '{% include "ui/field.html" with field=form.persons %}'],
)
def test_one_field_alone_gets_the_same_component(source: str) -> None:
    tree = render(HouseholdForm(), source)
    assert tree.find("label", for_="id_persons").find("span", class_="required")
    assert tree.by_id("id_persons_unit").text == "人"


def test_the_apps_forms_put_their_units_beside_the_boxes() -> None:
    from chiiki.sidejob.forms import ContractForm

    with translation.override("ja"):
        tree = render(ContractForm())
    assert tree.by_id("id_monthly_limit_hours_unit").text == "時間"
    assert (
        "id_monthly_limit_hours_unit"
        in tree.by_id("id_monthly_limit_hours").attrs["aria-describedby"].split()
    )
    with translation.override("en"):
        assert render(ContractForm()).by_id("id_annual_limit_hours_unit").text == "hours"
