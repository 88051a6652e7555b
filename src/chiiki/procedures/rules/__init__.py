"""Eligibility for push-type benefits as rules with dated parameters, on OpenFisca-core; no Django.

A rule set (`RULE_SETS`) is code reviewed in git: OpenFisca variables for each condition, `eligible` and
`amount`. An allowance's parameters (amounts, income limits, age limits) are data with validity dates, written
as YAML (`base_amount: {2024-06-03: 100000}`). `run_rules` computes every household of a `Population` at once
and keeps each condition's values, so `EligibilityResult.explain(i)` says why household i is (not) eligible.

>>> check_rules(RULE_SETS["newly_exempt_household"], parameters_yaml, date(2024, 6, 3))
>>> result = run_rules(RULE_SETS["newly_exempt_household"], parameters_yaml, date(2024, 6, 3), population)
>>> result.eligible, result.amount, result.explain(0)
"""

from chiiki.procedures.rules import _env  # noqa: F401 - before OpenFisca is imported
from chiiki.procedures.rules._parameters import DatedValue, parse_parameters, value_on
from chiiki.procedures.rules._population import Population, age_on, ages_on
from chiiki.procedures.rules._problems import RulesRejected
from chiiki.procedures.rules._rulesets import RULE_SETS, Condition, MemberFacts, RuleSet
from chiiki.procedures.rules._run import (
    EligibilityResult,
    ExplainedCondition,
    check_rules,
    parameters_on,
    run_rules,
    run_rules_loop,
)

__all__ = [
    "RULE_SETS",
    "Condition",
    "DatedValue",
    "EligibilityResult",
    "ExplainedCondition",
    "MemberFacts",
    "Population",
    "RuleSet",
    "RulesRejected",
    "age_on",
    "ages_on",
    "check_rules",
    "parameters_on",
    "parse_parameters",
    "run_rules",
    "run_rules_loop",
    "value_on",
]
