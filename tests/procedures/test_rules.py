"""The rules engine: dated parameters, eligibility with explanations, refusals naming the rule, loop agreement."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from openfisca_core.periods import DateUnit
from openfisca_core.variables import Variable

from chiiki.procedures.rules import (
    RULE_SETS,
    Condition,
    Population,
    RuleSet,
    RulesRejected,
    check_rules,
    parse_parameters,
    run_rules,
    run_rules_loop,
    value_on,
)

PARAMETERS = """
base_amount: {2023-12-01: 70000, 2024-06-03: 100000}
per_child: {2024-06-03: 50000}
child_age_limit: {2024-06-03: 18}
income_limit: {2024-06-03: 3000000}
"""
DAY = date(2024, 6, 3)


def population() -> Population:
    # household 0: newly exempt couple with a child of 14 and one of exactly 18 on the reference date
    # household 1: someone still taxed; household 2: a member without tax facts; household 3: exempt both years
    return Population(
        households=4,
        household_index=np.array([0, 0, 0, 0, 1, 2, 2, 3], dtype=np.int64),
        birth_date=np.array(
            [
                "1980-01-01",
                "1982-02-02",
                "2010-05-05",
                "2006-06-03",
                "1950-01-01",
                "1970-01-01",
                "1990-01-01",
                "1940-03-03",
            ],
            dtype="datetime64[D]",
        ),
        resident=np.ones(8, dtype=bool),
        tax_record=np.array([1, 1, 1, 1, 1, 1, 0, 1], dtype=bool),
        exempt=np.array([1, 1, 1, 1, 0, 1, 1, 1], dtype=bool),
        income=np.array([900_000, 0, 0, 0, 4_000_000, 0, 0, 500_000], dtype=np.int64),
        tax_record_previous=np.ones(8, dtype=bool),
        exempt_previous=np.array([0, 1, 1, 1, 0, 0, 1, 1], dtype=bool),
    )


def test_newly_exempt_household_gets_base_plus_children_under_the_age_limit() -> None:
    result = run_rules(RULE_SETS["newly_exempt_household"], PARAMETERS, DAY, population())
    assert result.eligible.tolist() == [True, False, False, False]
    # one child under 18: the one who turns 18 on the reference date no longer counts
    assert result.amount.tolist() == [150_000, 0, 0, 0]
    assert result.undecided.tolist() == [False, False, True, False]
    why = {c.variable: c for c in result.explain(1)}
    assert not why["all_exempt"].met
    assert why["all_exempt"].values == {"taxed_members": 1}
    assert {c.variable: c.met for c in result.explain(3)}["newly_exempt"] is False


def test_parameters_are_taken_on_the_reference_date() -> None:
    early = PARAMETERS.replace("per_child: {2024-06-03", "per_child: {2023-01-01").replace(
        "child_age_limit: {2024-06-03", "child_age_limit: {2023-01-01"
    )
    before = run_rules(RULE_SETS["newly_exempt_household"], early, date(2024, 1, 5), population())
    assert before.parameters["base_amount"] == 70_000
    assert before.amount.tolist()[0] == 70_000 + 50_000 * 2  # on 2024-01-05 both children are under 18
    assert value_on(parse_parameters(PARAMETERS)["base_amount"], date(2023, 11, 30)) is None


@pytest.mark.parametrize("code", sorted(RULE_SETS))
def test_vectorized_rules_agree_with_the_per_household_loop(code: str) -> None:
    rng = np.random.default_rng(7)
    n, households = 3000, 1100
    index = np.sort(np.concatenate([np.arange(households), rng.integers(0, households, n - households)]))
    pop = Population(
        households=households,
        household_index=index.astype(np.int64),
        birth_date=(np.datetime64("1930-01-01") + rng.integers(0, 34000, n)).astype("datetime64[D]"),
        resident=rng.random(n) < 0.97,
        tax_record=rng.random(n) < 0.98,
        exempt=rng.random(n) < 0.6,
        income=rng.integers(0, 5_000_000, n).astype(np.int64),
        tax_record_previous=rng.random(n) < 0.98,
        exempt_previous=rng.random(n) < 0.6,
    )
    result = run_rules(RULE_SETS[code], PARAMETERS, DAY, pop)
    eligible, amounts, explanations = run_rules_loop(RULE_SETS[code], PARAMETERS, DAY, pop)
    assert result.eligible.tolist() == eligible
    assert result.amount.tolist() == amounts
    assert 0 < sum(eligible) < households
    for h in range(0, households, 97):
        assert {c.variable: c.met for c in result.explain(h)} == explanations[h]


def test_a_parameter_without_a_date_is_refused_by_name() -> None:
    with pytest.raises(RulesRejected, match=r"base_amount.*適用開始日がありません"):
        check_rules(RULE_SETS["exempt_household"], "base_amount: 100000\nper_child: {2024-06-03: 1}", DAY)


def test_a_missing_parameter_and_a_bad_date_are_named() -> None:
    with pytest.raises(RulesRejected) as caught:
        check_rules(
            RULE_SETS["exempt_household"], "base_amount: {2024-13-01: 1}\nper_child: {2024-06-03: 1}", DAY
        )
    text = str(caught.value)
    assert "2024-13-01" in text


def test_a_parameter_not_yet_in_force_is_refused() -> None:
    with pytest.raises(RulesRejected, match=r"child_age_limit.*まだ適用されていません"):
        check_rules(
            RULE_SETS["exempt_household"],
            PARAMETERS.replace("child_age_limit: {2024-06-03", "child_age_limit: {2025-01-01"),
            DAY,
        )


def _broken(variables: tuple[type[Variable], ...]) -> RuleSet:
    return RuleSet(
        "broken", "壊れた規則", "broken", (Condition("eligible", "対象", "eligible"),), (), variables
    )


def test_a_rule_using_an_undefined_variable_is_refused_with_the_rule_named() -> None:
    class eligible(Variable):
        value_type = bool
        entity = RULE_SETS["exempt_household"].variables[0].entity
        definition_period = DateUnit.DAY

        def formula(household, period, parameters):  # type: ignore[no-untyped-def]
            return household("no_such_variable", period) > 0

    class amount(Variable):
        value_type = int
        entity = eligible.entity
        definition_period = DateUnit.DAY

    with pytest.raises(RulesRejected, match="規則「eligible」が未定義の変数「no_such_variable」"):
        check_rules(_broken((eligible, amount)), "", DAY)


def test_a_circular_definition_is_refused_with_the_rule_named() -> None:
    entity = RULE_SETS["exempt_household"].variables[0].entity

    class eligible(Variable):
        value_type = bool
        entity = RULE_SETS["exempt_household"].variables[0].entity
        definition_period = DateUnit.DAY

        def formula(household, period, parameters):  # type: ignore[no-untyped-def]
            return household("amount", period) > 0

    class amount(Variable):
        value_type = int
        definition_period = DateUnit.DAY

        def formula(household, period, parameters):  # type: ignore[no-untyped-def]
            return household("eligible", period) * 1

    amount.entity = entity
    with pytest.raises(RulesRejected, match="規則「broken」に循環した定義"):
        check_rules(_broken((eligible, amount)), "", DAY)
