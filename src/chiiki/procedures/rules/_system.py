"""The OpenFisca tax-benefit system of an allowance: entities, the registry's inputs and the shared variables.

Each rule set (``_rulesets``) adds its own variables; a system is built per run from the rule set's code and
the allowance's parameters, so two allowances never share parameters or formulas.
"""

from __future__ import annotations

from datetime import date

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.periods import DateUnit
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

from chiiki.procedures.rules._population import ages_on

Person = build_entity(
    key="person", plural="persons", label="住民", doc="A resident of the registry.", is_person=True
)
Household = build_entity(
    key="household",
    plural="households",
    label="世帯",
    doc="A household of the registry (世帯).",
    roles=[{"key": "member", "plural": "members", "label": "世帯員"}],
)
ENTITIES = [Person, Household]
ETERNITY = DateUnit.ETERNITY
DAY = DateUnit.DAY

# Inputs (set from the registry and the tax extract by `_run`).


class birth_date(Variable):
    value_type = date
    entity = Person
    definition_period = ETERNITY
    label = "生年月日"


class resident(Variable):
    value_type = bool
    entity = Person
    definition_period = ETERNITY
    label = "基準日に住民登録がある"


class tax_record(Variable):
    value_type = bool
    entity = Person
    definition_period = ETERNITY
    label = "当該年度の税情報がある"


class exempt(Variable):
    value_type = bool
    entity = Person
    definition_period = ETERNITY
    label = "当該年度の住民税均等割が非課税"


class income(Variable):
    value_type = int
    entity = Person
    definition_period = ETERNITY
    label = "当該年度の所得(円)"


class tax_record_previous(Variable):
    value_type = bool
    entity = Person
    definition_period = ETERNITY
    label = "前年度の税情報がある"


class exempt_previous(Variable):
    value_type = bool
    entity = Person
    definition_period = ETERNITY
    label = "前年度の住民税均等割が非課税"


# Shared derived variables, evaluated on the reference date (a DAY period).


class age(Variable):
    value_type = int
    entity = Person
    definition_period = DAY
    label = "基準日の年齢"

    def formula(person, period, parameters):  # type: ignore[no-untyped-def]
        return ages_on(person("birth_date", period), period.start.date)


class members(Variable):
    value_type = int
    entity = Household
    definition_period = DAY
    label = "基準日の世帯員数"

    def formula(household, period, parameters):  # type: ignore[no-untyped-def]
        return household.sum(household.members("resident", period))


class members_without_tax_record(Variable):
    value_type = int
    entity = Household
    definition_period = DAY
    label = "税情報のない世帯員数"

    def formula(household, period, parameters):  # type: ignore[no-untyped-def]
        known = household.members("tax_record", period)
        return household.sum(household.members("resident", period) & ~known)


class taxed_members(Variable):
    value_type = int
    entity = Household
    definition_period = DAY
    label = "課税されている世帯員数"

    def formula(household, period, parameters):  # type: ignore[no-untyped-def]
        taxed = household.members("tax_record", period) & ~household.members("exempt", period)
        return household.sum(household.members("resident", period) & taxed)


class previous_taxed_members(Variable):
    value_type = int
    entity = Household
    definition_period = DAY
    label = "前年度に課税されていた世帯員数"

    def formula(household, period, parameters):  # type: ignore[no-untyped-def]
        taxed = household.members("tax_record_previous", period) & ~household.members(
            "exempt_previous", period
        )
        return household.sum(household.members("resident", period) & taxed)


class children(Variable):
    value_type = int
    entity = Household
    definition_period = DAY
    label = "年齢制限未満の子どもの数"

    def formula(household, period, parameters):  # type: ignore[no-untyped-def]
        limit = parameters(period).benefit.child_age_limit
        young = household.members("age", period) < limit
        return household.sum(household.members("resident", period) & young)


class household_income(Variable):
    value_type = int
    entity = Household
    definition_period = DAY
    label = "世帯の所得合計(円)"

    def formula(household, period, parameters):  # type: ignore[no-untyped-def]
        amounts = np.where(household.members("resident", period), household.members("income", period), 0)
        return household.sum(amounts)


# Conditions shared by the rule sets.


class registered(Variable):
    value_type = bool
    entity = Household
    definition_period = DAY
    label = "基準日に世帯員が住民登録されている"

    def formula(household, period, parameters):  # type: ignore[no-untyped-def]
        return household("members", period) > 0


class tax_known(Variable):
    value_type = bool
    entity = Household
    definition_period = DAY
    label = "全員の税情報がある"

    def formula(household, period, parameters):  # type: ignore[no-untyped-def]
        return household("members_without_tax_record", period) == 0


class all_exempt(Variable):
    value_type = bool
    entity = Household
    definition_period = DAY
    label = "世帯全員が住民税均等割非課税"

    def formula(household, period, parameters):  # type: ignore[no-untyped-def]
        return household("taxed_members", period) == 0


class newly_exempt(Variable):
    value_type = bool
    entity = Household
    definition_period = DAY
    label = "前年度は課税されていた世帯員がいる(新たに非課税)"

    def formula(household, period, parameters):  # type: ignore[no-untyped-def]
        return household("previous_taxed_members", period) > 0


class has_children(Variable):
    value_type = bool
    entity = Household
    definition_period = DAY
    label = "年齢制限未満の子どもがいる"

    def formula(household, period, parameters):  # type: ignore[no-untyped-def]
        return household("children", period) > 0


class income_within_limit(Variable):
    value_type = bool
    entity = Household
    definition_period = DAY
    label = "世帯の所得が所得制限以下"

    def formula(household, period, parameters):  # type: ignore[no-untyped-def]
        return household("household_income", period) <= parameters(period).benefit.income_limit


SHARED_VARIABLES: tuple[type[Variable], ...] = (
    birth_date,
    resident,
    tax_record,
    exempt,
    income,
    tax_record_previous,
    exempt_previous,
    age,
    members,
    members_without_tax_record,
    taxed_members,
    previous_taxed_members,
    children,
    household_income,
    registered,
    tax_known,
    all_exempt,
    newly_exempt,
    has_children,
    income_within_limit,
)
INPUTS = (
    "birth_date",
    "resident",
    "tax_record",
    "exempt",
    "income",
    "tax_record_previous",
    "exempt_previous",
)


def build_system(variables: tuple[type[Variable], ...]) -> TaxBenefitSystem:
    """A tax-benefit system with the shared variables and `variables` (a rule set's own)."""
    system = TaxBenefitSystem(ENTITIES)
    names = {variable.__name__ for variable in variables}
    system.add_variables(*(v for v in SHARED_VARIABLES if v.__name__ not in names), *variables)
    return system
