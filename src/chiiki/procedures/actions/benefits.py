"""Defining an allowance, loading its tax and account facts, and running eligibility (dry run or notices)."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from chiiki.core import audit
from chiiki.core.actions.jobs import enqueue_job
from chiiki.core.models import Municipality
from chiiki.procedures.actions.messages import queue_messages
from chiiki.procedures.extracts import AccountRow, TaxRow
from chiiki.procedures.models import (
    Allowance,
    EligibilityRun,
    Entitlement,
    ReceiptAccount,
    ResidentMessage,
    TaxRecord,
)
from chiiki.procedures.notices import Notice, NoticeContent, write_notices_pdf
from chiiki.procedures.notify import notice_messages
from chiiki.procedures.rules import RULE_SETS, EligibilityResult, RulesRejected, check_rules
from chiiki.surveys.contact.credentials import hash_access_key, new_access_key, new_login_id

if TYPE_CHECKING:
    from chiiki.core.acting import Actor
    from chiiki.procedures.queries import HouseholdFacts

SAMPLE_EXPLANATIONS = 12
AGE_BANDS = ((0, 39, "〜39歳"), (40, 64, "40〜64歳"), (65, 74, "65〜74歳"), (75, 200, "75歳〜"))


@transaction.atomic
def define_allowance(
    municipality: Municipality,
    *,
    code: str,
    name: str,
    rule_set: str,
    parameters: str,
    reference_date: date,
    fiscal_year: int,
    legal_basis: str = "",
    by: Actor,
) -> Allowance:
    """Create or change an allowance after its rules and parameters pass `check_rules` (refused by name otherwise)."""
    if rule_set not in RULE_SETS:
        raise RulesRejected([f"規則「{rule_set}」はありません (unknown rule set)"])
    values = check_rules(RULE_SETS[rule_set], parameters, reference_date)
    allowance, created = Allowance.objects.update_or_create(
        municipality=municipality,
        code=code,
        defaults={
            "name": name,
            "rule_set": rule_set,
            "parameters": parameters,
            "reference_date": reference_date,
            "fiscal_year": fiscal_year,
            "legal_basis": legal_basis,
            "created_by": by.user,
        },
    )
    audit.record(
        "procedures.allowance_defined" if created else "procedures.allowance_changed",
        by=by,
        municipality=municipality,
        object_type="allowance",
        object_id=allowance.pk,
        detail={"code": code, "rule_set": rule_set, "parameters_on_reference_date": values},
    )
    return allowance


@transaction.atomic
def load_tax_extract(municipality: Municipality, rows: list[TaxRow], *, by: Actor) -> int:
    """Replace the tax facts of every fiscal year in the extract by its rows, all or nothing."""
    years = sorted({row.fiscal_year for row in rows})
    TaxRecord.objects.filter(municipality=municipality, fiscal_year__in=years).delete()
    TaxRecord.objects.bulk_create(
        (
            TaxRecord(
                municipality=municipality,
                fiscal_year=row.fiscal_year,
                person_code=row.person_code,
                exempt=row.exempt,
                income=row.income,
            )
            for row in rows
        ),
        batch_size=2000,
    )
    audit.record(
        "procedures.tax_extract_loaded",
        by=by,
        municipality=municipality,
        object_type="tax_extract",
        detail={"rows": len(rows), "fiscal_years": years},
    )
    return len(rows)


@transaction.atomic
def load_account_extract(municipality: Municipality, rows: list[AccountRow], *, by: Actor) -> int:
    """Add or replace the receipt accounts of the persons in the extract, all or nothing."""
    codes = [row.person_code for row in rows]
    for start in range(0, len(codes), 900):
        ReceiptAccount.objects.filter(
            municipality=municipality, person_code__in=codes[start : start + 900]
        ).delete()
    ReceiptAccount.objects.bulk_create(
        (_account(municipality, row) for row in rows),
        batch_size=2000,
    )
    audit.record(
        "procedures.accounts_loaded",
        by=by,
        municipality=municipality,
        object_type="receipt_account",
        detail={"rows": len(rows)},
    )
    return len(rows)


def _account(municipality: Municipality, row: AccountRow) -> ReceiptAccount:
    return ReceiptAccount(
        municipality=municipality,
        person_code=row.person_code,
        bank_code=row.bank_code,
        branch_code=row.branch_code,
        account_type=row.account_type,
        account_number=row.account_number,
        holder_kana=row.holder_kana,
        email=row.email,
        phone=row.phone,
    )


@transaction.atomic
def request_eligibility_run(allowance: Allowance, *, issue_notices: bool, by: Actor) -> EligibilityRun:
    """Queue a run over the registry: a dry run (counts and explanations only) or the run that issues notices."""
    run = EligibilityRun.objects.create(
        municipality=allowance.municipality,
        allowance=allowance,
        issue_notices=issue_notices,
        requested_by=by.user,
    )
    audit.record(
        "procedures.eligibility_run_requested",
        by=by,
        municipality=allowance.municipality,
        object_type="eligibility_run",
        object_id=run.pk,
        detail={"allowance": allowance.code, "issue_notices": issue_notices},
    )
    enqueue_job(run)
    return run


def summarize(result: EligibilityResult, facts: list[HouseholdFacts]) -> dict[str, Any]:
    """Counts by district and by the head's age band, totals, and a sample of explanations (plain data)."""
    day = result.reference_date
    districts: Counter[str] = Counter()
    bands: Counter[str] = Counter()
    eligible_idx = [i for i, ok in enumerate(result.eligible.tolist()) if ok]
    for i in eligible_idx:
        districts[facts[i].district_name] += 1
        bands[_band(facts[i].head_birth, day)] += 1
    not_eligible = [i for i, ok in enumerate(result.eligible.tolist()) if not ok]
    sample = eligible_idx[: SAMPLE_EXPLANATIONS // 2] + not_eligible[: SAMPLE_EXPLANATIONS // 2]
    return {
        "households": len(facts),
        "eligible": len(eligible_idx),
        "undecided": int(result.undecided.sum()),
        "total_amount": int(result.amount.sum()),
        "parameters": result.parameters,
        "by_district": sorted(districts.items()),
        "by_age_band": [(label, bands[label]) for _, _, label in AGE_BANDS] + [("不明", bands["不明"])],
        "sample": [
            {
                "household_id": facts[i].household_id,
                "eligible": bool(result.eligible[i]),
                "amount": int(result.amount[i]),
                "conditions": [
                    {"label": c.label, "label_en": c.label_en, "met": c.met, "values": c.values}
                    for c in result.explain(i)
                ],
            }
            for i in sample
        ],
    }


def _band(birth: date | None, day: date) -> str:
    if birth is None:
        return "不明"
    age = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
    return next(label for low, high, label in AGE_BANDS if low <= age <= high)


@transaction.atomic
def record_run_summary(run: EligibilityRun, summary: dict[str, Any], *, by: Actor) -> None:
    """Keep a run's counts and sample explanations (they name households: reading them is audited)."""
    EligibilityRun.objects.filter(pk=run.pk).update(summary=summary)
    audit.record(
        "procedures.eligibility_run_summarized",
        by=by,
        municipality=run.municipality,
        object_type="eligibility_run",
        object_id=run.pk,
        detail={k: summary[k] for k in ("households", "eligible", "undecided", "total_amount")},
    )


@dataclass(frozen=True, slots=True)
class IssueSummary:
    notified: int
    follow_up: int
    already: int


@transaction.atomic
def issue_notices(
    run: EligibilityRun,
    result: EligibilityResult,
    facts: list[HouseholdFacts],
    accounts: dict[str, ReceiptAccount],
    *,
    by: Actor,
) -> IssueSummary:
    """Create an entitlement with a notice for each eligible household not yet notified, and the notices' PDF.

    Households with no receipt account on file, no head on the reference date or incomplete tax facts go to
    follow-up (never to payment). Access keys exist only in memory and on the PDF, which is stored with the run.
    """
    allowance = run.allowance
    done = set(Entitlement.objects.filter(allowance=allowance).values_list("household_id", flat=True))
    notices: list[Notice] = []
    messages: list[ResidentMessage] = []
    counts = Counter[str]()
    for i in range(len(facts)):
        if not (result.eligible[i] or result.undecided[i]):
            continue
        if facts[i].household_id in done:
            counts["already"] += 1
            continue
        notice = _entitle(run, result, facts[i], i, accounts.get(facts[i].head_code), messages)
        counts[Entitlement.Status.NOTIFIED if notice else Entitlement.Status.FOLLOW_UP] += 1
        if notice is not None:
            notices.append(notice)
    _store_notices(run, notices)
    # Besides the letter: e-mail and SMS to the account's registered contact, and the head's inbox.
    sent = queue_messages(messages, by=by, municipality=run.municipality)
    summary = IssueSummary(
        counts[Entitlement.Status.NOTIFIED], counts[Entitlement.Status.FOLLOW_UP], counts["already"]
    )
    audit.record(
        "procedures.notices_issued",
        by=by,
        municipality=run.municipality,
        object_type="eligibility_run",
        object_id=run.pk,
        detail={
            "notified": summary.notified,
            "follow_up": summary.follow_up,
            "already": summary.already,
            "messages": sent,
        },
    )
    return summary


def _entitle(
    run: EligibilityRun,
    result: EligibilityResult,
    facts: HouseholdFacts,
    i: int,
    account: ReceiptAccount | None,
    messages: list[ResidentMessage],
) -> Notice | None:
    reason = _follow_up_reason(result, facts, i, account)
    entitlement = Entitlement(
        municipality=run.municipality,
        allowance=run.allowance,
        household_id=facts.household_id,
        district_id=facts.district_id,
        run=run,
        amount=int(result.amount[i]),
        explanation=[
            {"label": c.label, "label_en": c.label_en, "met": c.met, "values": c.values}
            for c in result.explain(i)
        ],
        status=Entitlement.Status.FOLLOW_UP if reason else Entitlement.Status.NOTIFIED,
        follow_up_reason=reason,
        head_name=facts.head_name,
    )
    if account is not None:
        for name in ("bank_code", "branch_code", "account_type", "account_number", "holder_kana"):
            setattr(entitlement, name, getattr(account, name))
    if reason:
        Entitlement.objects.bulk_create([entitlement])
        return None
    key = new_access_key()
    entitlement.login_id = _unique_login_id()
    entitlement.access_key_hash = hash_access_key(key)
    Entitlement.objects.bulk_create([entitlement])
    entitlement.allowance = run.allowance
    entitlement.municipality = run.municipality
    messages.extend(notice_messages(entitlement, account, facts.head_code, masked_account(entitlement)))
    return Notice(
        entitlement.login_id,
        key,
        facts.head_name,
        facts.postal_code,
        facts.address,
        entitlement.amount,
        masked_account(entitlement),
    )


def _follow_up_reason(
    result: EligibilityResult, facts: HouseholdFacts, i: int, account: ReceiptAccount | None
) -> str:
    if result.undecided[i]:
        return "世帯員の税情報がありません(課税状況の確認が必要)"
    if not facts.head_code:
        return "基準日の世帯主が台帳にいません"
    if account is None:
        return "公金受取口座の登録がありません"
    return ""


def _unique_login_id() -> str:
    while True:
        login_id = new_login_id()
        if not Entitlement.objects.filter(login_id=login_id).exists():
            return login_id


def masked_account(entitlement: Entitlement) -> str:
    """The account as a notice or page shows it: bank and branch codes, type, last 3 digits, holder."""
    if not entitlement.account_number:
        return ""
    kinds = {"1": "普通", "2": "当座", "4": "貯蓄"}
    return (
        f"金融機関 {entitlement.bank_code} 支店 {entitlement.branch_code} {kinds.get(entitlement.account_type, '')} "
        f"****{entitlement.account_number[-3:]} {entitlement.holder_kana}"
    )


def _store_notices(run: EligibilityRun, notices: list[Notice]) -> None:
    if not notices:
        return
    buffer = io.BytesIO()
    content = NoticeContent(
        sender=run.municipality.display_name,
        allowance=run.allowance.name,
        url=getattr(settings, "CHIIKI_PROCEDURES_CONFIRM_URL", "/benefits/confirm/"),
        deadline=run.allowance.reference_date + timedelta(days=90),
        helpdesk=getattr(settings, "CHIIKI_SURVEY_HELPDESK", ""),
    )
    write_notices_pdf(notices, buffer, content)
    run.notices_pdf.save(f"notices-{run.pk}.pdf", ContentFile(buffer.getvalue()), save=False)
    EligibilityRun.objects.filter(pk=run.pk).update(notices_pdf=run.notices_pdf.name)
