"""Deeply nested expressions and sections are refused with a message, not a RecursionError."""

from __future__ import annotations

import pytest
from tests.cli_contracts import hostile

from chiiki.surveys.xlsform import MAX_NESTING, ExpressionError, check_form, parse_expression


@pytest.mark.parametrize(
    "source",
    [
        hostile.nested_parentheses(10_000),
        "(" * 10_000 + "1",
        "concat(" * 5_000 + "'x'" + ")" * 5_000,
        "-" * 20_000 + "1",
    ],
    ids=["parentheses", "unbalanced", "calls", "unary-minus"],
)
def test_deep_nesting_is_an_expression_error(source: str) -> None:
    with pytest.raises(ExpressionError, match=f"nested more than {MAX_NESTING} levels"):
        parse_expression(source)


def test_a_very_long_operator_chain_is_an_expression_error() -> None:
    with pytest.raises(ExpressionError, match="expression tree deeper than"):
        parse_expression("1+" * 5_000 + "1")


def test_nesting_up_to_the_limit_still_parses() -> None:
    parse_expression(hostile.nested_parentheses(MAX_NESTING - 1))
    parse_expression("concat(" * 20 + "'x'" + ")" * 20)
    parse_expression(" + ".join(f"${{q{i}}}" for i in range(150)))


def test_deeply_nested_groups_are_one_problem_at_the_row_that_goes_too_deep(tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    result = check_form(hostile.form_deep_groups(tmp_path), cross_check=False)
    assert result.form is None
    [problem] = result.errors
    assert (problem.sheet, problem.row, problem.column, problem.subject) == ("survey", 34, "A", "g32")
    assert "more than 32 nested groups/repeats" in problem.message
