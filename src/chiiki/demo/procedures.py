"""The demo city's procedures and push-type benefit: the starter catalog, a synthetic tax extract and receipt
accounts, and a 物価高騰対策給付金 for households newly exempt from resident tax (100,000 yen plus 50,000 yen per
child under 18, as in the FY2024 benefit), with its issuing run queued for the worker that `make demo` starts.

Deterministic from the seed; a second load changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.procedures import actions
from chiiki.procedures.extracts import AccountRow, TaxRow
from chiiki.procedures.models import (
    Allowance,
    Application,
    EligibilityRun,
    HelpPoint,
    HelpSlot,
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


# The demo city's help points (fictional places in its fictional districts around 34.80°N, 132.85°E).
HELP_POINTS = (
    actions.HelpPointInput(
        name="緑川市役所 市民課窓口",
        kind=HelpPoint.Kind.COUNTER,
        address="広島県緑川市中央一丁目1番1号",
        opening_hours="平日 8:30〜17:15(祝日・年末年始を除く)\n第2・第4土曜 9:00〜12:00",
        latitude=34.8010,
        longitude=132.8520,
        wheelchair=True,
        hearing_loop=True,
        parking=True,
        accessibility_notes="筆談ボードあり。手話通訳は前日までに予約してください。",
    ),
    actions.HelpPointInput(
        name="緑川市立図書館",
        kind=HelpPoint.Kind.LIBRARY,
        address="広島県緑川市中央三丁目5番2号",
        opening_hours="火〜日 9:30〜19:00(月曜休館)",
        latitude=34.8062,
        longitude=132.8601,
        wheelchair=True,
        parking=True,
        accessibility_notes="利用者用のパソコンに画面拡大ソフトあり。",
    ),
    actions.HelpPointInput(
        name="北山公民館",
        kind=HelpPoint.Kind.COMMUNITY,
        address="広島県緑川市北山町120番地",
        opening_hours="月〜土 9:00〜21:00",
        latitude=34.8520,
        longitude=132.8310,
        parking=True,
        accessibility_notes="入口に段差があります(職員が介助します)。",
    ),
    actions.HelpPointInput(
        name="南原コミュニティセンター",
        kind=HelpPoint.Kind.COMMUNITY,
        address="広島県緑川市南原町2丁目8番",
        opening_hours="平日 9:00〜17:00",
        latitude=34.7610,
        longitude=132.8890,
        wheelchair=True,
    ),
    actions.HelpPointInput(
        name="デジタル推進委員のスマホ相談会(東川集会所)",
        kind=HelpPoint.Kind.DIGITAL,
        address="広島県緑川市東川町45番地 東川集会所",
        opening_hours="毎月第1・第3水曜 13:30〜16:00(予約優先)",
        latitude=34.7940,
        longitude=132.9310,
        wheelchair=True,
        parking=True,
        accessibility_notes="老眼鏡・拡大鏡の貸出あり。",
    ),
)


@dataclass(frozen=True, slots=True)
class ProceduresDemo:
    procedures: int
    tax_rows: int
    accounts: int
    allowance: Allowance
    run_queued: bool


def synthetic_facts(municipality: Municipality, *, seed: int) -> tuple[list[TaxRow], list[AccountRow]]:
    """A tax extract for this fiscal year and the last, and receipt accounts for about 85% of heads (a third of
    them with an e-mail address, a third with a phone number, where notices also go).

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
                        # A contact registered with every third account (example.jp is reserved; the demo's
                        # console notifier prints the messages instead of sending them).
                        email=f"demo{person.pk}@example.jp" if person.pk % 3 == 0 else "",
                        phone=f"090{person.pk % 10**8:08d}" if person.pk % 3 == 1 else "",
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


def _help_points(municipality: Municipality, *, by: Actor) -> None:
    """The directory and, for the community centres and the デジタル推進委員 session, three sessions in the
    coming weeks (from the day of the load) with one booking, so every help page shows something."""
    if HelpPoint.objects.filter(municipality=municipality).exists():
        return
    today = timezone.localdate()
    for point_input in HELP_POINTS:
        point = actions.save_help_point(municipality, point_input, by=by)
        if point.kind not in (HelpPoint.Kind.COMMUNITY, HelpPoint.Kind.DIGITAL):
            continue
        for week in (1, 2, 3):
            day = today + timedelta(days=7 * week)
            starts = timezone.make_aware(datetime.combine(day, time(13, 30)))
            actions.add_help_slot(
                point,
                starts_at=starts,
                ends_at=starts + timedelta(hours=1, minutes=30),
                capacity=6,
                topic="スマートフォンでマイナポータル・オンライン申請",
                by=by,
            )
    slot = HelpSlot.objects.filter(help_point__municipality=municipality).order_by("starts_at", "id").first()
    if slot is not None:
        actions.book_help_slot(
            slot.pk, name="緑川 花子", contact="090-0000-0000", need="児童手当の申請を手伝ってほしい", by=by
        )


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
    _help_points(municipality, by=by)
    queued = False
    if not EligibilityRun.objects.filter(allowance=allowance).exists():
        actions.request_eligibility_run(allowance, issue_notices=True, by=by)
        queued = True
    return ProceduresDemo(count, len(taxes), len(accounts), allowance, queued)
