"""The procedure catalog and applications: load the starter catalog, receive an application (online or assisted)."""

from __future__ import annotations

import copy
import secrets
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.models import Municipality
from chiiki.jp import kana_key
from chiiki.procedures.models import Application, Procedure
from chiiki.procedures.standard import ProcedureSpec, build_xlsform, load_catalog, load_dictionary
from chiiki.surveys.xlsform import load_form

if TYPE_CHECKING:
    from chiiki.core.acting import Actor


def search_text(name: str, name_kana: str, name_en: str) -> str:
    """What the catalog search matches: the name, its reading as a kana key, the English name (lower case)."""
    return " ".join((name, kana_key(name_kana), kana_key(name), name_en.lower()))


def _build(spec: ProcedureSpec) -> tuple[bytes, dict[str, Any]]:
    workbook = build_xlsform(spec)
    form = load_form(workbook, filename=f"{spec.code}.xlsx")
    return workbook, form.to_json()


@lru_cache(maxsize=1)
def _starter_forms() -> tuple[tuple[ProcedureSpec, bytes, dict[str, Any]], ...]:
    """The starter catalog's forms, built and checked once per process (the shipped data does not change)."""
    return tuple((spec, *_build(spec)) for spec in load_catalog())


def load_starter_catalog(municipality: Municipality, *, by: Actor) -> int:
    """Create or refresh the starter catalog's procedures with forms built from the standard dictionary."""
    built = [(spec, workbook, copy.deepcopy(form)) for spec, workbook, form in _starter_forms()]
    return _store_catalog(municipality, built, by=by)


@transaction.atomic
def store_procedure(
    municipality: Municipality, spec: ProcedureSpec, workbook: bytes, form: dict[str, Any], *, version: str
) -> tuple[Procedure, bool]:
    """Create or replace the municipality's procedure `spec.code` with its form (the caller audits)."""
    return Procedure.objects.update_or_create(
        municipality=municipality,
        code=spec.code,
        defaults={
            "name": spec.name,
            "name_kana": spec.name_kana,
            "name_en": spec.name_en,
            "legal_basis": spec.legal_basis,
            "who_may_apply": spec.who,
            "attachments": spec.attachments,
            "fee": spec.fee,
            "processing_days": spec.days,
            "card_required": spec.card_required,
            "email_allowed": spec.email_allowed,
            "second_approval": spec.second_approval,
            "form": form,
            "xlsform": workbook,
            "dictionary_version": version,
            "search_text": search_text(spec.name, spec.name_kana, spec.name_en),
        },
    )


def _store_catalog(
    municipality: Municipality, built: list[tuple[ProcedureSpec, bytes, dict[str, Any]]], *, by: Actor
) -> int:
    version = load_dictionary().version
    for spec, workbook, form in built:
        store_procedure(municipality, spec, workbook, form, version=version)
    audit.record(
        "procedures.catalog_loaded",
        by=by,
        municipality=municipality,
        object_type="procedure",
        detail={"procedures": [spec.code for spec, _, _ in built], "dictionary_version": version},
    )
    return len(built)


def _receipt_number() -> str:
    today = timezone.localdate().strftime("%Y%m%d")
    while True:
        number = f"{today}-{secrets.randbelow(10**6):06d}"
        if not Application.objects.filter(receipt_number=number).exists():
            return number


@transaction.atomic
def submit_application(
    procedure: Procedure, answers: dict[str, Any], *, by: Actor, helper_consent: str = ""
) -> Application:
    """Receive checked answers in one transaction; the receipt number is shown only after this returns.

    With `helper_consent` the application was made at the help desk: `by` is the helper, named on the row.
    """
    application = Application.objects.create(
        municipality=procedure.municipality,
        procedure=procedure,
        receipt_number=_receipt_number(),
        answers=answers,
        submitted_at=timezone.now(),
        needs_second_approval=procedure.second_approval,
        channel="help_desk" if helper_consent else "online",
        helper=by.user if helper_consent else None,
        consent_note=helper_consent[:200],
    )
    audit.record(
        "procedures.application_received",
        by=by,
        municipality=procedure.municipality,
        object_type="application",
        object_id=application.pk,
        detail={
            "procedure": procedure.code,
            "assisted": bool(helper_consent),
            "consent": application.consent_note,
        },
    )
    return application
