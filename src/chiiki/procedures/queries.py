"""Read-side queries of procedures. Callers write the audit record for each read of personal data."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from chiiki.core.models import Municipality
from chiiki.jp import kana_key
from chiiki.procedures.models import (
    Allowance,
    Application,
    EligibilityRun,
    Entitlement,
    HelpBooking,
    HelpPoint,
    HelpSlot,
    ItemDictionary,
    PaymentBatch,
    Procedure,
    ReceiptAccount,
    ResidentAccount,
    ResidentMessage,
    TaxRecord,
)
from chiiki.procedures.rules import Population
from chiiki.procedures.standard import Dictionary, load_dictionary
from chiiki.procedures.standard.exchange import parse_dictionary
from chiiki.registry.models import Person


@dataclass(frozen=True, slots=True)
class HouseholdFacts:
    """What a run needs of a household besides the rules' inputs: who the notice goes to, and where."""

    household_id: int
    district_id: int
    district_name: str
    head_code: str
    head_name: str
    head_birth: date | None
    postal_code: str
    address: str


def allowances(municipality: Municipality) -> QuerySet[Allowance]:
    """The municipality's allowances, newest code first."""
    return Allowance.objects.filter(municipality=municipality).order_by("code")


def allowance(municipality: Municipality, allowance_id: int) -> Allowance | None:
    """One allowance of this municipality (never of another one)."""
    return Allowance.objects.filter(municipality=municipality, pk=allowance_id).first()


def runs(allowance: Allowance) -> QuerySet[EligibilityRun]:
    """The allowance's eligibility runs, newest first."""
    return EligibilityRun.objects.filter(allowance=allowance).order_by("-queued_at")


def run(allowance: Allowance, run_id: int) -> EligibilityRun | None:
    """One run of the allowance."""
    return EligibilityRun.objects.filter(allowance=allowance, pk=run_id).first()


def population(municipality: Municipality, allowance: Allowance) -> tuple[Population, list[HouseholdFacts]]:
    """The registry and the tax facts as the rules' columns, households in a fixed order with their facts."""
    day = allowance.reference_date
    persons = list(
        Person.objects.filter(municipality=municipality)
        .order_by("household_id", "id")
        .values_list(
            "household_id",
            "person_code",
            "birth_date",
            "registered_on",
            "removed_on",
            "relationship",
            "family_name",
            "given_name",
            "household__district_id",
            "household__district__name",
            "household__postal_code",
            "household__address",
        )
    )
    taxes = _tax_facts(municipality, allowance.fiscal_year)
    previous = _tax_facts(municipality, allowance.fiscal_year - 1)
    order: dict[int, int] = {}
    facts: list[HouseholdFacts] = []
    heads: dict[int, tuple[str, str, date]] = {}
    for row in persons:
        if row[0] not in order:
            order[row[0]] = len(order)
            facts.append(HouseholdFacts(row[0], row[8], row[9], "", "", None, row[10], row[11]))
        if row[5] == "世帯主" and _resident(row[3], row[4], day):
            heads[row[0]] = (row[1], f"{row[6]} {row[7]}", row[2])
    facts = [_with_head(f, heads.get(f.household_id)) for f in facts]
    n = len(persons)
    tax = [taxes.get(row[1]) for row in persons]
    prev = [previous.get(row[1]) for row in persons]
    built = Population(
        households=len(order),
        household_index=np.fromiter((order[row[0]] for row in persons), dtype=np.int64, count=n),
        birth_date=np.array([row[2] for row in persons], dtype="datetime64[D]"),
        resident=np.fromiter((_resident(row[3], row[4], day) for row in persons), dtype=bool, count=n),
        tax_record=np.fromiter((t is not None for t in tax), dtype=bool, count=n),
        exempt=np.fromiter((t is not None and t[0] for t in tax), dtype=bool, count=n),
        income=np.fromiter((t[1] if t is not None else 0 for t in tax), dtype=np.int64, count=n),
        tax_record_previous=np.fromiter((t is not None for t in prev), dtype=bool, count=n),
        exempt_previous=np.fromiter((t is not None and t[0] for t in prev), dtype=bool, count=n),
    )
    return built, facts


def _with_head(facts: HouseholdFacts, head: tuple[str, str, date] | None) -> HouseholdFacts:
    if head is None:
        return facts
    return HouseholdFacts(
        facts.household_id,
        facts.district_id,
        facts.district_name,
        head[0],
        head[1],
        head[2],
        facts.postal_code,
        facts.address,
    )


def _resident(registered_on: date | None, removed_on: date | None, day: date) -> bool:
    return (registered_on is None or registered_on <= day) and (removed_on is None or removed_on > day)


def _tax_facts(municipality: Municipality, year: int) -> dict[str, tuple[bool, int]]:
    rows = TaxRecord.objects.filter(municipality=municipality, fiscal_year=year)
    return {
        code: (exempt, income) for code, exempt, income in rows.values_list("person_code", "exempt", "income")
    }


def accounts_of(municipality: Municipality, person_codes: list[str]) -> dict[str, ReceiptAccount]:
    """The receipt accounts on file for these persons."""
    found: dict[str, ReceiptAccount] = {}
    for start in range(0, len(person_codes), 900):
        chunk = person_codes[start : start + 900]
        for account in ReceiptAccount.objects.filter(municipality=municipality, person_code__in=chunk):
            found[account.person_code] = account
    return found


def entitlements(allowance: Allowance, *, status: str = "") -> QuerySet[Entitlement]:
    """The allowance's entitlements, optionally of one status."""
    result = Entitlement.objects.filter(allowance=allowance).select_related("household", "district")
    return result.filter(status=status) if status else result


def entitlement_by_login(login_id: str) -> Entitlement | None:
    """The entitlement whose notice carries this number (any municipality: the number is unique)."""
    return (
        Entitlement.objects.filter(login_id=login_id)
        .select_related("allowance", "municipality", "household")
        .first()
    )


def entitlement(allowance: Allowance, entitlement_id: int) -> Entitlement | None:
    """One entitlement of the allowance."""
    return entitlements(allowance).filter(pk=entitlement_id).first()


def status_counts(allowance: Allowance) -> dict[str, tuple[int, int]]:
    """(households, yen) per entitlement status."""
    rows = (
        Entitlement.objects.filter(allowance=allowance)
        .values("status")
        .annotate(n=Count("id"), yen=Sum("amount"))
    )
    counts: dict[str, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for row in rows:
        counts[row["status"]] = (row["n"], row["yen"] or 0)
    return dict(counts)


def payment_batches(allowance: Allowance) -> QuerySet[PaymentBatch]:
    """The allowance's payment files, newest first."""
    return PaymentBatch.objects.filter(allowance=allowance).order_by("-created_at")


def payment_batch(allowance: Allowance, batch_id: int) -> PaymentBatch | None:
    """One payment file of the allowance."""
    return PaymentBatch.objects.filter(allowance=allowance, pk=batch_id).first()


def entitlement_of(municipality: Municipality, entitlement_id: int) -> Entitlement | None:
    """One entitlement of this municipality (never of another one)."""
    return (
        Entitlement.objects.filter(municipality=municipality, pk=entitlement_id)
        .select_related("allowance")
        .first()
    )


def entitlement_by_id(entitlement_id: int) -> Entitlement | None:
    """The entitlement a resident's session was opened for (by its notice's number and key)."""
    return Entitlement.objects.filter(pk=entitlement_id).select_related("allowance", "municipality").first()


def search_procedures(municipality: Municipality, query: str) -> list[Procedure]:
    """Procedures whose name, reading or English name contains `query` (kana folded by chiiki.jp.kana_key)."""
    procedures = list(Procedure.objects.filter(municipality=municipality).order_by("code"))
    if not query:
        return procedures
    keys = {query, kana_key(query), query.lower()} - {""}
    return [p for p in procedures if any(key in p.search_text for key in keys)]


def dictionary_in_use(municipality: Municipality | str) -> Dictionary:
    """The municipality's standard-item dictionary: the newest installed by import, else the one shipped."""
    row = ItemDictionary.objects.filter(municipality=municipality).order_by("-installed_at", "-pk").first()
    if row is None:
        return load_dictionary()
    return parse_dictionary(json.dumps(row.content, ensure_ascii=False).encode("utf-8"))


def procedure(town: str, code: str) -> Procedure | None:
    """One procedure of a municipality by their codes."""
    return Procedure.objects.filter(municipality_id=town, code=code).select_related("municipality").first()


def applications(municipality: Municipality) -> QuerySet[Application]:
    """Received applications of the municipality, newest first."""
    return (
        Application.objects.filter(municipality=municipality)
        .exclude(status=Application.Status.DRAFT)
        .select_related("procedure", "helper")
    )


def application_by_login(login_id: str) -> Application | None:
    """The application with this number (the resident's way back to it)."""
    return Application.objects.select_related("procedure").filter(login_id=login_id).first()


def application_by_id(application_id: int) -> Application | None:
    """One application with its procedure."""
    return Application.objects.select_related("procedure").filter(pk=application_id).first()


def resident_account(account_id: int, municipality_code: str | None = None) -> ResidentAccount | None:
    """An e-mail-verified account (of that municipality when one is named)."""
    accounts = ResidentAccount.objects.select_related("municipality").filter(pk=account_id)
    if municipality_code is not None:
        accounts = accounts.filter(municipality_id=municipality_code)
    return accounts.first()


def account_applications(account: ResidentAccount) -> list[Application]:
    """The applications an e-mail-verified account started, newest first."""
    return list(Application.objects.select_related("procedure").filter(account=account).order_by("-id"))


def account_application(account: ResidentAccount, application_id: int) -> Application | None:
    """One application of this account (never another's)."""
    return Application.objects.select_related("procedure").filter(account=account, pk=application_id).first()


def email_procedures(municipality: Municipality) -> list[Procedure]:
    """The procedures an e-mail-verified account may start."""
    return list(Procedure.objects.filter(municipality=municipality, email_allowed=True).order_by("code"))


def application_of(municipality: Municipality, application_id: int) -> Application | None:
    """One submitted application of this municipality (never another's, never a draft)."""
    return (
        Application.objects.select_related("procedure", "assigned_to", "first_approver", "decided_by")
        .filter(municipality=municipality, pk=application_id)
        .exclude(status=Application.Status.DRAFT)
        .first()
    )


OPEN_STATUSES = (
    Application.Status.RECEIVED,
    Application.Status.RETURNED,
    Application.Status.AWAITING_SECOND,
)


def queue(municipality: Municipality, procedure: Procedure | None) -> QuerySet[Application]:
    """Applications waiting for staff (received, returned, awaiting a second approver), oldest first."""
    rows = Application.objects.select_related("procedure", "assigned_to").filter(
        municipality=municipality, status__in=OPEN_STATUSES
    )
    if procedure is not None:
        rows = rows.filter(procedure=procedure)
    return rows.order_by("submitted_at", "id")


def queue_counts(municipality: Municipality) -> dict[str, int]:
    """Open applications per procedure code."""
    rows = (
        Application.objects.filter(municipality=municipality, status__in=OPEN_STATUSES)
        .values("procedure__code")
        .annotate(n=Count("id"))
    )
    return {row["procedure__code"]: row["n"] for row in rows}


def help_points(municipality: Municipality) -> QuerySet[HelpPoint]:
    """The municipality's help points, by kind and name."""
    return HelpPoint.objects.filter(municipality=municipality).order_by("kind", "name", "id")


def help_point(municipality: Municipality, help_point_id: int) -> HelpPoint | None:
    return HelpPoint.objects.filter(municipality=municipality, pk=help_point_id).first()


def upcoming_slots(help_point: HelpPoint) -> QuerySet[HelpSlot]:
    """The help point's slots that have not begun, soonest first."""
    return HelpSlot.objects.filter(help_point=help_point, starts_at__gt=timezone.now()).order_by(
        "starts_at", "id"
    )


def help_slots(help_point: HelpPoint) -> QuerySet[HelpSlot]:
    """All the help point's slots, newest first (staff)."""
    return HelpSlot.objects.filter(help_point=help_point).order_by("-starts_at", "-id")


def help_slot(municipality: Municipality, slot_id: int) -> HelpSlot | None:
    return (
        HelpSlot.objects.select_related("help_point")
        .filter(pk=slot_id, help_point__municipality=municipality)
        .first()
    )


def help_bookings(help_point: HelpPoint) -> QuerySet[HelpBooking]:
    """Every booking of the help point's slots (names and contacts: staff reading them is audited)."""
    return (
        HelpBooking.objects.select_related("slot")
        .filter(slot__help_point=help_point)
        .order_by("-slot__starts_at", "slot_id", "created_at", "id")
    )


def bookings_to_remind(day: date) -> list[HelpBooking]:
    """Live bookings, in every municipality, of sessions starting on `day` (Japan time), not yet reminded."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = start + timedelta(days=1)
    return list(
        HelpBooking.objects.filter(
            status=HelpBooking.Status.BOOKED, slot__starts_at__gte=start, slot__starts_at__lt=end
        )
        .exclude(resident_messages__kind=ResidentMessage.Kind.BOOKING_REMINDER)
        .select_related("slot__help_point__municipality")
        .order_by("pk")
    )


def resident_messages(municipality: Municipality, status: str = "") -> QuerySet[ResidentMessage]:
    """The municipality's messages to residents, newest first (failed first when no status is chosen)."""
    rows = ResidentMessage.objects.filter(municipality=municipality)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-id")


def message_counts(municipality: Municipality) -> dict[str, int]:
    """How many messages are in each state."""
    counts = (
        ResidentMessage.objects.filter(municipality=municipality)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["status"]: row["n"] for row in counts}


def inbox(municipality: Municipality, person_code: str) -> list[ResidentMessage]:
    """The inbox of a resident linked to the registry: messages delivered to their person code."""
    return list(
        ResidentMessage.objects.filter(
            municipality=municipality,
            channel=ResidentMessage.Channel.INBOX,
            recipient=person_code,
            status=ResidentMessage.Status.SENT,
        )
        .select_related("entitlement")
        .order_by("-created_at", "-id")[:100]
    )
