"""The XLSForm expression parser and evaluator (chiiki.surveys.xlsform)."""

from __future__ import annotations

import datetime
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chiiki.surveys.xlsform import (
    ExpressionError,
    NodeSet,
    SimpleContext,
    Value,
    evaluate,
    parse_expression,
    references,
    to_string,
)


def run(source: str, **values: Value) -> Value:
    return evaluate(
        parse_expression(source), SimpleContext(values=dict(values), today_date=datetime.date(2025, 10, 1))
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 * 3", 7.0),
        ("(1 + 2) * 3", 9.0),
        ("7 div 2", 3.5),
        ("7 mod 3", 1.0),
        ("-7 mod 3", -1.0),
        ("2 - -3", 5.0),
        ("1 = 1 and 2 != 3", True),
        ("1 > 2 or 2 >= 2", True),
        ("not(1 < 0)", True),
        ("'abc' = 'abc'", True),
        ("'10' = 10", True),
        ("concat('a', 1, true())", "a1true"),
        ("string-length('東京都')", 3.0),
        ("if(1 > 0, 'yes', 'no')", "yes"),
        ("coalesce('', 'fallback')", "fallback"),
        ("int(-3.7)", -3.0),
        ("round(2.5)", 3.0),
        ("round(-2.5)", -3.0),
        ("round(3.14159, 2)", 3.14),
        ("number('12.5') + 1", 13.5),
        ("contains('abcdef', 'cd')", True),
        ("starts-with('abc', 'ab')", True),
        ("regex('123-4567', '^[0-9]{3}-[0-9]{4}$')", True),
        ("count-selected('a b c')", 3.0),
        ("selected('a b c', 'b')", True),
        ("selected('a b c', 'd')", False),
        ("today() = '2025-10-01'", True),
        ("today() > 0", True),
        ("1 div 0", math.inf),
    ],
)
def test_expression_evaluates_to_the_xpath_result(source: str, expected: Value) -> None:
    assert run(source) == expected


def test_unanswered_reference_is_empty_and_numeric_comparison_with_it_is_false() -> None:
    assert run("${age}") == ""
    assert run("${age} >= 15") is False
    assert run("${age} < 15") is False


def test_reference_and_selected_combine_like_the_issue_example() -> None:
    assert run("${age} >= 15 and selected(${work}, 'yes')", age=40.0, work="yes no") is True
    assert run("${age} >= 15 and selected(${work}, 'yes')", age=14.0, work="yes") is False


def test_count_and_sum_work_over_repeat_node_sets() -> None:
    ages = NodeSet((30.0, 40.0, 5.0))
    assert run("count(${age})", age=ages) == 3.0
    assert run("sum(${age})", age=ages) == 75.0
    assert run("max(${age})", age=ages) == 40.0
    assert run("${age} > 35", age=ages) is True  # XPath: true if any member matches


def test_sum_with_an_empty_value_is_nan_as_in_xpath() -> None:
    assert math.isnan(run("sum(${age})", age=NodeSet((1.0, ""))))  # type: ignore[arg-type]


def test_position_of_parent_and_current_value_come_from_the_context() -> None:
    ctx = SimpleContext(current_value="head", index=2)
    assert evaluate(parse_expression("if(position(..) = 1, . = 'head', . != 'head')"), ctx) is False


def test_choice_filter_may_use_bare_choice_columns() -> None:
    tree = parse_expression("state = ${state}", allow_bare_names=True)
    ctx = SimpleContext(values={"state": "tokyo"}, choice={"state": "tokyo"})
    assert evaluate(tree, ctx) is True


def test_references_lists_every_dollar_reference() -> None:
    assert [r.name for r in references(parse_expression("${a} + if(${b}, ${c}, 1)"))] == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("source", "position", "fragment"),
    [
        ("1 +", 3, "unexpected end"),
        ("${age", 0, "unterminated"),
        ("'abc", 0, "unterminated string"),
        ("(1 + 2", 6, "missing closing parenthesis"),
        ("pulldata('a', 'b')", 0, "expected 4 arguments"),
        ("nosuch('a')", 0, "not supported: function nosuch()"),
        ("/data/age[1] > 3", 9, "not supported: XPath predicates outside instance"),
        ("instance('x')/y", 0, "not supported: instance path"),
        ("../", 3, "unexpected end"),
        ("if(1, 2)", 0, "expected 3 arguments"),
        ("1 2", 2, "unexpected '2'"),
        ("position(1)", 0, "not supported: position()"),
        ("1 # 2", 2, "unexpected character"),
    ],
)
def test_syntax_errors_report_the_expression_and_position(source: str, position: int, fragment: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_expression(source)
    assert caught.value.position == position
    assert caught.value.expression == source
    assert fragment in caught.value.message


def test_python_code_is_never_executed() -> None:
    with pytest.raises(ExpressionError):
        parse_expression("__import__('os').system('true')")


# ----------------------------------------------------------------------------------------- properties

integers = st.integers(min_value=-10_000, max_value=10_000)


@settings(max_examples=200, deadline=None)
@given(integers, integers)
def test_integer_arithmetic_matches_python(a: int, b: int) -> None:
    assert run(f"{a} + {b}".replace("+ -", "- ")) == float(a + b)
    assert run(f"({a}) * ({b})") == float(a * b)
    assert run(f"({a}) < ({b})") is (a < b)
    assert run(f"({a}) = ({b})") is (a == b)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="'", blacklist_categories=("Cs",)), max_size=30))
def test_string_literals_round_trip_through_concat(text: str) -> None:
    assert run(f"concat('{text}', '')") == text
    assert run(f"string-length('{text}')") == float(len(text))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="${}()',.=<>!+-*/ abdivmornt0123456789_|\"", max_size=40))
def test_parser_either_parses_or_raises_expression_error(source: str) -> None:
    try:
        tree = parse_expression(source)
    except ExpressionError as error:
        position = error.position
        assert 0 <= position <= len(source)
    else:
        try:
            evaluate(tree, SimpleContext())
        except Exception as error:  # evaluation of an arbitrary valid tree must not crash either
            pytest.fail(f"{source!r} raised {error!r}")


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9))
def test_number_of_string_of_a_number_is_the_number(value: float) -> None:
    text = to_string(value)
    assert run(f"number('{text}')") == pytest.approx(value, rel=1e-12, abs=1e-9)
