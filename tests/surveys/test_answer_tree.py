"""The nested answers dict addressed by field keys, roster rows, page fingerprints and the submitted record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chiiki.surveys.answering import tree as answer_tree
from chiiki.surveys.xlsform import Form, Section, evaluate_answers, load_form

DEMO_FORM = Path(__file__).resolve().parents[2] / "src/chiiki/demo/forms/census_demo.xlsx"

names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
segments = st.tuples(names, st.one_of(st.none(), st.integers(min_value=1, max_value=6)))
keys = st.builds(
    lambda path, last: "/".join([*(f"{n}[{i}]" if i else n for n, i in path), last]),
    st.lists(segments, max_size=3),
    names,
)


@pytest.fixture(scope="module")
def form() -> Form:
    return load_form(DEMO_FORM)


def members(form: Form) -> Section:
    node = form.find("members")
    assert isinstance(node, Section)
    return node


@given(keys, st.text(max_size=5))
def test_a_value_set_under_a_key_is_read_back(key: str, value: str) -> None:
    data: dict[str, Any] = {}
    answer_tree.set_value(data, key, value)
    assert answer_tree.get_value(data, key) == value


@given(st.lists(st.tuples(keys, st.integers()), max_size=8))
def test_setting_one_key_never_changes_another(pairs: list[tuple[str, int]]) -> None:
    data: dict[str, Any] = {}
    final: dict[str, int] = {}
    for key, value in pairs:
        # A key that is a prefix path of another would replace a container: the runtime never produces that.
        if any(
            other != key and (other.startswith(key + "/") or key.startswith(other + "/")) for other in final
        ):
            continue
        if any(_same_container_clash(key, other) for other in final):
            continue
        answer_tree.set_value(data, key, value)
        final[key] = value
    for key, value in final.items():
        assert answer_tree.get_value(data, key) == value


def _same_container_clash(a: str, b: str) -> bool:
    """Whether a group and a repeat of the same name appear at the same place in two keys."""
    pa, pb = answer_tree.parse_key(a), answer_tree.parse_key(b)
    for (na, ia), (nb, ib) in zip(pa, pb, strict=False):
        if na != nb:
            return False
        if (ia is None) != (ib is None):
            return True
        if ia != ib:
            return False
    return len(pa) != len(pb)


@pytest.mark.parametrize("bad", ["", "a//b", "a[0]/b", "a[x]/b", "1a", "a[501]/b", "../x", "a b"])
def test_keys_outside_the_runtime_shape_are_refused(bad: str) -> None:
    with pytest.raises(answer_tree.AnswerKeyError):
        answer_tree.parse_key(bad)


def test_missing_paths_read_as_none() -> None:
    assert answer_tree.get_value({"members": [{}]}, "members[3]/age") is None
    assert answer_tree.get_value({"household": "x"}, "household/hh_size") is None


def test_the_household_size_counts_the_roster(form: Form) -> None:
    assert answer_tree.counter_field_key(form, members(form)) == "household/hh_size"


def test_adding_and_removing_rows_moves_the_count_and_keeps_the_other_rows(form: Form) -> None:
    data: dict[str, Any] = {
        "household": {"hh_size": "2"},
        "members": [{"member_name": "A"}, {"member_name": "B"}],
    }
    assert answer_tree.add_instance(form, data, members(form), "members", 2) == 3
    assert data["household"]["hh_size"] == "3"
    assert len(data["members"]) == 3
    assert answer_tree.remove_instance(form, data, members(form), "members", 1, 3) == 2
    assert [m.get("member_name") for m in data["members"]] == ["B", None]
    assert data["household"]["hh_size"] == "2"
    # Removing a row that is not shown changes nothing.
    assert answer_tree.remove_instance(form, data, members(form), "members", 9, 2) == 2


def test_the_page_fingerprint_changes_only_with_that_pages_answers(form: Form) -> None:
    household, roster, _ = form.pages()
    data: dict[str, Any] = {"household": {"hh_size": "1"}}
    before = answer_tree.page_digest(data, household)
    roster_before = answer_tree.page_digest(data, roster)
    data["members"] = [{"member_name": "A"}]
    assert answer_tree.page_digest(data, household) == before
    assert answer_tree.page_digest(data, roster) != roster_before
    data["household"]["hh_size"] = "2"
    assert answer_tree.page_digest(data, household) != before


def test_the_submitted_record_drops_hidden_answers_and_types_the_rest(form: Form) -> None:
    answers = {
        "household": {"hh_size": "１", "dwelling_type": "facility", "tenure": "own", "floor_area": "55.5"},
        "members": [
            {"member_name": " 緑川 一郎 ", "relation": "head", "sex": "male", "birth_year": "1960",
             "birth_month": "1", "work_status": "employed", "workplace": "市役所"},
            {"member_name": "stale row beyond the household size"},
        ],
        "closing": {"remarks": ""},
    }  # fmt: skip
    evaluation = evaluate_answers(form, answers)
    assert evaluation.valid, evaluation.errors()
    record = answer_tree.canonical_answers(evaluation)
    assert record["household"] == {"hh_size": 1, "dwelling_type": "facility"}  # tenure and area skipped
    assert len(record["members"]) == 1
    member = record["members"][0]
    assert member["member_name"] == "緑川 一郎"
    assert member["birth_year"] == 1960
    assert member["is_worker"] == 1
    assert isinstance(member["age"], int)
    assert record["closing"] == {"n_members": 1, "n_workers": 1}
