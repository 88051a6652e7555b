"""Running a rule set over a population with OpenFisca, and the same rules as a per-household loop."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
from openfisca_core.errors import CycleError, ParameterNotFoundError, SpiralError, VariableNotFoundError
from openfisca_core.simulations import Simulation

from chiiki.procedures.rules._parameters import DatedValue, parse_parameters, to_parameter_node, value_on
from chiiki.procedures.rules._population import BoolArray, IntArray, Population
from chiiki.procedures.rules._problems import RulesRejected
from chiiki.procedures.rules._rulesets import MemberFacts, RuleSet
from chiiki.procedures.rules._system import INPUTS, build_system


@dataclass(frozen=True, slots=True)
class ExplainedCondition:
    """One condition for one household: met or not, and the values it was decided on."""

    variable: str
    label: str
    label_en: str
    met: bool
    values: dict[str, int]


@dataclass(frozen=True)
class EligibilityResult:
    """Per household (index as in the population): eligible, amount, and every condition with its values."""

    rule_set: RuleSet
    reference_date: date
    parameters: dict[str, float]
    eligible: BoolArray
    amount: IntArray
    values: dict[str, npt.NDArray[Any]]

    @property
    def undecided(self) -> BoolArray:
        """Registered households whose tax facts are incomplete: they go to follow-up, never to payment."""
        undecided: BoolArray = self.values["registered"] & ~self.values["tax_known"]
        return undecided

    def explain(self, household: int) -> list[ExplainedCondition]:
        """Why household `household` is (not) eligible: each condition in order with the values used."""
        return [
            ExplainedCondition(
                c.variable,
                c.label,
                c.label_en,
                bool(self.values[c.variable][household]),
                {name: int(self.values[name][household]) for name in c.shows},
            )
            for c in self.rule_set.conditions
        ]


def parameters_on(rule_set: RuleSet, parameters: dict[str, list[DatedValue]], day: date) -> dict[str, float]:
    """The value of each parameter the rule set needs on `day`; refused, naming the parameter, when one is missing."""
    problems = []
    values: dict[str, float] = {}
    for name in rule_set.parameters:
        value = value_on(parameters.get(name, []), day)
        if name not in parameters:
            problems.append(
                f"規則「{rule_set.code}」が使うパラメータ「{name}」がありません (missing parameter)"
            )
        elif value is None:
            problems.append(
                f"パラメータ「{name}」は基準日 {day.isoformat()} にはまだ適用されていません (no value on the reference date)"
            )
        else:
            values[name] = value
    if problems:
        raise RulesRejected(problems)
    return values


def check_rules(rule_set: RuleSet, parameters_text: str, reference_date: date) -> dict[str, float]:
    """Check a rule set with its parameters: refuse an undefined variable, a cycle or a missing parameter, by name.

    The rules are computed once for a one-person household, so every formula is reached. Returns the
    parameter values in force on the reference date.
    """
    parameters = parse_parameters(parameters_text)
    values = parameters_on(rule_set, parameters, reference_date)
    one = Population(
        households=1,
        household_index=np.zeros(1, dtype=np.int64),
        birth_date=np.array(["1980-01-01"], dtype="datetime64[D]"),
        **{name: np.ones(1, dtype=bool) for name in ("resident", "tax_record", "exempt")},
        income=np.zeros(1, dtype=np.int64),
        tax_record_previous=np.ones(1, dtype=bool),
        exempt_previous=np.zeros(1, dtype=bool),
    )
    _calculate(rule_set, parameters, reference_date, one)
    return values


def run_rules(
    rule_set: RuleSet, parameters_text: str, reference_date: date, population: Population
) -> EligibilityResult:
    """Every household's eligibility, amount and explanation on `reference_date`, vectorized by OpenFisca."""
    population.check()
    parameters = parse_parameters(parameters_text)
    values_used = parameters_on(rule_set, parameters, reference_date)
    values = _calculate(rule_set, parameters, reference_date, population)
    return EligibilityResult(
        rule_set,
        reference_date,
        values_used,
        values["eligible"].astype(bool),
        values["amount"].astype(np.int64),
        values,
    )


def _calculate(
    rule_set: RuleSet, parameters: dict[str, list[DatedValue]], day: date, population: Population
) -> dict[str, npt.NDArray[Any]]:
    system = build_system(rule_set.variables)
    system.parameters = to_parameter_node(parameters)
    simulation = _simulation(system, population)
    wanted = {*rule_set.outputs, *(c.variable for c in rule_set.conditions)}
    wanted |= {name for c in rule_set.conditions for name in c.shows}
    try:
        return {name: simulation.calculate(name, day.isoformat()) for name in sorted(wanted)}
    except VariableNotFoundError as error:
        raise RulesRejected([_undefined(rule_set, error)]) from error
    except (CycleError, SpiralError) as error:
        raise RulesRejected(
            [f"規則「{rule_set.code}」に循環した定義があります (circular definition): {error}"]
        ) from error
    except ParameterNotFoundError as error:
        raise RulesRejected(
            [f"規則「{rule_set.code}」: 未定義のパラメータ (undefined parameter): {error}"]
        ) from error


def _undefined(rule_set: RuleSet, error: VariableNotFoundError) -> str:
    missing = getattr(error, "variable_name", "") or str(error)
    for variable in rule_set.variables:
        formula = getattr(variable, "formula", None)
        if formula is not None and f'"{missing}"' in inspect.getsource(formula):
            return (
                f"規則「{variable.__name__}」が未定義の変数「{missing}」を使っています (undefined variable)"
            )
    return f"規則「{rule_set.code}」が未定義の変数「{missing}」を使っています (undefined variable)"


def _simulation(system: Any, population: Population) -> Simulation:
    """The simulation of a population, its structure set directly from the arrays.

    SimulationBuilder.join_with_persons would turn a million role keys into role objects one by one; with a
    single role (member) and households numbered 0..n-1 in `household_index` already, the structure is just
    the index array, which is what the builder would compute from it.
    """
    populations = system.instantiate_entities()
    persons = populations["person"]
    persons.ids = np.arange(population.persons)
    persons.count = population.persons
    households = populations["household"]
    households.ids = np.arange(population.households)
    households.count = population.households
    households.members_entity_id = population.household_index
    simulation = Simulation(system, populations)
    for name in INPUTS:
        simulation.set_input(name, "eternity", getattr(population, name))
    return simulation


def run_rules_loop(
    rule_set: RuleSet, parameters_text: str, reference_date: date, population: Population
) -> tuple[list[bool], list[int], list[dict[str, bool]]]:
    """The same rules, household by household in plain Python: the benchmark's baseline and the tests' oracle."""
    if rule_set.loop is None:
        raise ValueError(f"rule set {rule_set.code} has no loop form")
    params = parameters_on(rule_set, parse_parameters(parameters_text), reference_date)
    by_household: list[list[MemberFacts]] = [[] for _ in range(population.households)]
    births = population.birth_date.astype("datetime64[D]").tolist()
    for i, h in enumerate(population.household_index.tolist()):
        by_household[h].append(
            MemberFacts(
                births[i],
                bool(population.resident[i]),
                bool(population.tax_record[i]),
                bool(population.exempt[i]),
                int(population.income[i]),
                bool(population.tax_record_previous[i]),
                bool(population.exempt_previous[i]),
            )
        )
    eligible, amounts, explanations = [], [], []
    for members in by_household:
        conditions, amount = rule_set.loop(members, params, reference_date)
        eligible.append(all(conditions.values()))
        amounts.append(amount)
        explanations.append(conditions)
    return eligible, amounts, explanations
