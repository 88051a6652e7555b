"""The demo city's procedures and push-type benefit: the starter catalog, a synthetic tax extract and receipt
accounts, and a 物価高騰対策給付金 for households newly exempt from resident tax (100,000 yen plus 50,000 yen per
child under 18, as in the FY2024 benefit), with its issuing run queued for the worker that `make demo` starts.

Deterministic from the seed; a second load changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.procedures import actions
from chiiki.procedures.extracts import AccountRow, TaxRow
from chiiki.procedures.models import (
    Allowance,
    Application,
    EligibilityRun,
    Procedure,
    ReceiptAccount,
    TaxRecord,
)
from chiiki.procedures.zengin import zengin_kana
from chiiki.registry.models import Person

ACTOR = "chiiki demo load"
FISCAL_YEAR = 2026
REFERENCE_DATE = date(2026, 6, 1)
PARAMETERS = (
    "# 物価高騰対策給付金(令和8年度、新たに住民税均等割非課税となった世帯)\n"
    "base_amount: {2026-06-01: 100000}\n"
    "per_child: {2026-06-01: 50000}\n"
    "child_age_limit: {2026-06-01: 18}\n"
)
# Real bank and branch codes (checked against zengin-code when loaded): ゆうちょ, 広島銀行, 山口銀行.
BRANCHES = (("9900", "019"), ("0169", "001"), ("0170", "001"))


@dataclass(frozen=True, slots=True)
class ProceduresDemo:
    procedures: int
    tax_rows: int
    accounts: int
    allowance: Allowance
    run_queued: bool


def synthetic_facts(municipality: Municipality, *, seed: int) -> tuple[list[TaxRow], list[AccountRow]]:
    """A tax extract for this fiscal year and the last, and receipt accounts for about 85% of heads.

    About a quarter of households are exempt this year; a third of those were taxed the year before.
    """
    rng = random.Random(seed)  # noqa: S311 - demo data, reproducible by design
    people = Person.objects.filter(municipality=municipality).order_by("household_id", "id")
    by_household: dict[int, list[Person]] = {}
    for person in people:
        by_household.setdefault(person.household_id, []).append(person)
    taxes: list[TaxRow] = []
    accounts: list[AccountRow] = []
    for members in by_household.values():
        exempt_now = rng.random() < 0.25
        exempt_before = exempt_now and rng.random() < 0.66
        for person in members:
            income = 0 if exempt_now else rng.randrange(1_500_000, 6_000_000, 10_000)
            taxes.append(TaxRow(person.person_code, FISCAL_YEAR, exempt_now, income))
            taxes.append(TaxRow(person.person_code, FISCAL_YEAR - 1, exempt_before, income))
            if person.relationship == "世帯主" and rng.random() < 0.85:
                bank, branch = rng.choice(BRANCHES)
                holder = f"{person.family_name_kana} {person.given_name_kana}".strip() or "ﾐﾄﾞﾘｶﾜ ﾀﾛｳ"
                accounts.append(
                    AccountRow(
                        person.person_code,
                        bank,
                        branch,
                        "1",
                        f"{rng.randrange(1, 10**7):07d}",
                        zengin_kana(holder)[:30],
                    )
                )
    return taxes, accounts


SAMPLE_APPLICATION = {
    "applicant_name": "緑川 花子",
    "address": "緑川市本町1番地",
    "phone": "082-000-0000",
    "items_to_collect": "たんす 1点、自転車 1台",
    "collection_date": "2026-12-20",
}


def _sample_application(municipality: Municipality, *, by: Actor) -> None:
    """One received application (粗大ごみ収集申込) so the staff queue has something to show."""
    procedure = Procedure.objects.filter(municipality=municipality, code="sodai-gomi").first()
    if procedure is not None and not Application.objects.filter(municipality=municipality).exists():
        actions.submit_application(procedure, dict(SAMPLE_APPLICATION), by=by)


def load_procedures_demo(municipality: Municipality, *, seed: int = 2025) -> ProceduresDemo:
    """Load the catalog, the facts and the allowance once; queue the issuing run if none was ever requested."""
    by = Actor.system(ACTOR)
    count = actions.load_starter_catalog(municipality, by=by)
    taxes: list[TaxRow] = []
    accounts: list[AccountRow] = []
    if not TaxRecord.objects.filter(municipality=municipality).exists():
        taxes, accounts = synthetic_facts(municipality, seed=seed)
        actions.load_tax_extract(municipality, taxes, by=by)
        if not ReceiptAccount.objects.filter(municipality=municipality).exists():
            actions.load_account_extract(municipality, accounts, by=by)
    allowance = Allowance.objects.filter(municipality=municipality, code="bukka-r8").first()
    if allowance is None:
        allowance = actions.define_allowance(
            municipality,
            code="bukka-r8",
            name="令和8年度 物価高騰対策給付金(新たに住民税非課税となった世帯)",
            rule_set="newly_exempt_household",
            parameters=PARAMETERS,
            reference_date=REFERENCE_DATE,
            fiscal_year=FISCAL_YEAR,
            legal_basis="緑川市物価高騰対策給付金支給要綱(架空)",
            by=by,
        )
    _sample_application(municipality, by=by)
    queued = False
    if not EligibilityRun.objects.filter(allowance=allowance).exists():
        actions.request_eligibility_run(allowance, issue_notices=True, by=by)
        queued = True
    return ProceduresDemo(count, len(taxes), len(accounts), allowance, queued)
