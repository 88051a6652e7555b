"""The rule sets an allowance can use: code reviewed in git. Parameters (amounts, limits) are the allowance's data.

Each rule set names its conditions in order (every one must hold), the values each condition shows in an
explanation, the parameters it needs, and its amount; `loop` is the same rules written as a plain per-household
function, the baseline of the benchmark and the oracle of the tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from openfisca_core.periods import DateUnit
from openfisca_core.variables import Variable

from chiiki.procedures.rules._population import age_on
from chiiki.procedures.rules._system import Household


@dataclass(frozen=True, slots=True)
class Condition:
    """A household condition (a bool variable) and the variables whose values explain it."""

    variable: str
    label: str
    label_en: str
    shows: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MemberFacts:
    """One person's inputs, for the per-household loop."""

    birth_date: date
    resident: bool
    tax_record: bool
    exempt: bool
    income: int
    tax_record_previous: bool
    exempt_previous: bool


LoopRule = Callable[[list[MemberFacts], dict[str, float], date], tuple[dict[str, bool], int]]


@dataclass(frozen=True)
class RuleSet:
    """A reviewed set of rules: OpenFisca variables `eligible` and `amount` plus their conditions."""

    code: str
    name: str
    name_en: str
    conditions: tuple[Condition, ...]
    parameters: tuple[str, ...]
    variables: tuple[type[Variable], ...]
    loop: LoopRule | None = None
    outputs: tuple[str, ...] = field(default=("eligible", "amount"))


REGISTERED = Condition(
    "registered", "基準日に住民登録がある", "registered on the reference date", ("members",)
)
TAX_KNOWN = Condition(
    "tax_known", "世帯全員の税情報がある", "tax facts known for everyone", ("members_without_tax_record",)
)
ALL_EXEMPT = Condition(
    "all_exempt", "世帯全員が住民税均等割非課税", "everyone exempt from resident tax", ("taxed_members",)
)
NEWLY_EXEMPT = Condition(
    "newly_exempt",
    "前年度は課税されていた世帯員がいる(新たに非課税)",
    "someone was taxed the year before (newly exempt)",
    ("previous_taxed_members",),
)
HAS_CHILDREN = Condition(
    "has_children", "対象年齢の子どもがいる", "has children under the age limit", ("children",)
)
INCOME_LIMIT = Condition(
    "income_within_limit",
    "世帯の所得が所得制限以下",
    "household income within the limit",
    ("household_income",),
)


def _all_conditions(household, period, names: tuple[str, ...]):  # type: ignore[no-untyped-def]
    result = household(names[0], period)
    for name in names[1:]:
        result = result & household(name, period)
    return result


def _eligible(names: tuple[str, ...]) -> type[Variable]:
    class eligible(Variable):
        value_type = bool
        entity = Household
        definition_period = DateUnit.DAY
        label = "支給対象"

        def formula(household, period, parameters):  # type: ignore[no-untyped-def]
            return _all_conditions(household, period, names)

    return eligible


def _amount_base_plus_children() -> type[Variable]:
    class amount(Variable):
        value_type = int
        entity = Household
        definition_period = DateUnit.DAY
        label = "支給額(円)"

        def formula(household, period, parameters):  # type: ignore[no-untyped-def]
            p = parameters(period).benefit
            value = p.base_amount + p.per_child * household("children", period)
            return np.where(household("eligible", period), value, 0)

    return amount


def _amount_per_child() -> type[Variable]:
    class amount(Variable):
        value_type = int
        entity = Household
        definition_period = DateUnit.DAY
        label = "支給額(円)"

        def formula(household, period, parameters):  # type: ignore[no-untyped-def]
            value = parameters(period).benefit.per_child * household("children", period)
            return np.where(household("eligible", period), value, 0)

    return amount


# The same rules as plain Python, one household at a time.


def _counts(members: list[MemberFacts], params: dict[str, float], day: date) -> dict[str, int]:
    here = [m for m in members if m.resident]
    return {
        "members": len(here),
        "members_without_tax_record": sum(not m.tax_record for m in here),
        "taxed_members": sum(m.tax_record and not m.exempt for m in here),
        "previous_taxed_members": sum(m.tax_record_previous and not m.exempt_previous for m in here),
        "children": sum(age_on(m.birth_date, day) < params["child_age_limit"] for m in here),
        "household_income": sum(m.income for m in here),
    }


def _loop_conditions(counts: dict[str, int], params: dict[str, float]) -> dict[str, bool]:
    return {
        "registered": counts["members"] > 0,
        "tax_known": counts["members_without_tax_record"] == 0,
        "all_exempt": counts["taxed_members"] == 0,
        "newly_exempt": counts["previous_taxed_members"] > 0,
        "has_children": counts["children"] > 0,
        "income_within_limit": counts["household_income"] <= params.get("income_limit", 0),
    }


def _loop(conditions: tuple[Condition, ...], per_child_only: bool) -> LoopRule:
    names = [c.variable for c in conditions]

    def run(members: list[MemberFacts], params: dict[str, float], day: date) -> tuple[dict[str, bool], int]:
        counts = _counts(members, params, day)
        met = _loop_conditions(counts, params)
        chosen = {name: met[name] for name in names}
        if not all(chosen.values()):
            return chosen, 0
        base = 0.0 if per_child_only else params["base_amount"]
        return chosen, int(base + params["per_child"] * counts["children"])

    return run


def _rule_set(
    code: str, name: str, name_en: str, conditions: tuple[Condition, ...], per_child_only: bool = False
) -> RuleSet:
    names = tuple(c.variable for c in conditions)
    amount = _amount_per_child() if per_child_only else _amount_base_plus_children()
    params = ("per_child", "child_age_limit") + (() if per_child_only else ("base_amount",))
    if INCOME_LIMIT in conditions:
        params += ("income_limit",)
    return RuleSet(
        code, name, name_en, conditions, params, (_eligible(names), amount), _loop(conditions, per_child_only)
    )


RULE_SETS: dict[str, RuleSet] = {
    rule_set.code: rule_set
    for rule_set in (
        _rule_set(
            "newly_exempt_household",
            "新たに住民税非課税となった世帯への給付(基本額+こども加算)",
            "households newly exempt from resident tax (base amount plus per child)",
            (REGISTERED, TAX_KNOWN, ALL_EXEMPT, NEWLY_EXEMPT),
        ),
        _rule_set(
            "exempt_household",
            "住民税非課税世帯への給付(基本額+こども加算)",
            "households exempt from resident tax (base amount plus per child)",
            (REGISTERED, TAX_KNOWN, ALL_EXEMPT),
        ),
        _rule_set(
            "child_support",
            "所得制限以下の子育て世帯への給付(子ども1人あたり)",
            "families under an income limit (per child)",
            (REGISTERED, TAX_KNOWN, HAS_CHILDREN, INCOME_LIMIT),
            per_child_only=True,
        ),
    )
}
