"""Import of a standard-item dictionary and of a procedure's form from another system (checked, then written
whole in one transaction, audited)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from chiiki.core import audit
from chiiki.core.models import Municipality
from chiiki.procedures import queries
from chiiki.procedures.actions.applications import store_procedure
from chiiki.procedures.models import ItemDictionary, Procedure
from chiiki.procedures.standard import Dictionary, ProcedureSpec
from chiiki.procedures.standard.exchange import (
    DictionaryDiff,
    ImportRejected,
    check_workbook,
    dictionary_layout,
    diff_dictionaries,
    parse_description,
    parse_dictionary,
    version_key,
)

if TYPE_CHECKING:
    from chiiki.core.acting import Actor


def refuse_stale(municipality: Municipality, dictionary: Dictionary) -> Dictionary:
    """The dictionary in use, after refusing `dictionary` when its version is not newer (naming both)."""
    current = queries.dictionary_in_use(municipality)
    if version_key(dictionary.version) <= version_key(current.version):
        raise ImportRejected(
            [
                f"version: {dictionary.version} is not newer than the dictionary in use ({current.version}); "
                "only a newer version can be installed"
            ]
        )
    return current


def check_dictionary(
    municipality: Municipality, data: bytes, *, by: Actor
) -> tuple[Dictionary, Dictionary, DictionaryDiff]:
    """Read an uploaded dictionary: (it, the one in use, their differences); nothing is installed here.

    A malformed file, or a version not newer than the one in use, raises ImportRejected and is audited."""
    try:
        dictionary = parse_dictionary(data)
        current = refuse_stale(municipality, dictionary)
    except ImportRejected as error:
        audit.record(
            "procedures.dictionary_import_refused",
            by=by,
            municipality=municipality,
            object_type="item_dictionary",
            detail={"problems": error.problems[:20]},
        )
        raise
    return dictionary, current, diff_dictionaries(current, dictionary)


@transaction.atomic
def install_dictionary(municipality: Municipality, dictionary: Dictionary, *, by: Actor) -> ItemDictionary:
    """Install a newer dictionary (after staff confirmed its differences); an older or equal one is refused."""
    Municipality.objects.select_for_update().filter(pk=municipality.pk).first()  # one install at a time
    current = refuse_stale(municipality, dictionary)
    diff = diff_dictionaries(current, dictionary)
    row = ItemDictionary.objects.create(
        municipality=municipality,
        version=dictionary.version,
        content=dictionary_layout(dictionary),
        installed_by=by.user,
    )
    audit.record(
        "procedures.dictionary_installed",
        by=by,
        municipality=municipality,
        object_type="item_dictionary",
        object_id=row.pk,
        detail={
            "version": dictionary.version,
            "previous": current.version,
            "added": diff.added,
            "removed": diff.removed,
            "changed": [name for name, _ in diff.changed],
        },
    )
    return row


def import_form(municipality: Municipality, workbook: bytes, description: bytes, *, by: Actor) -> Procedure:
    """Create or replace one procedure from its XLSForm workbook and JSON description.

    Everything is checked against the dictionary in use first (ImportRejected naming the field or cell); a
    refusal is audited and writes nothing else."""
    dictionary = queries.dictionary_in_use(municipality)
    try:
        spec, version = parse_description(description, dictionary)
        form = check_workbook(workbook, spec, version, dictionary)
    except ImportRejected as error:
        audit.record(
            "procedures.form_import_refused",
            by=by,
            municipality=municipality,
            object_type="procedure",
            detail={"problems": error.problems[:20]},
        )
        raise
    return _store_form(municipality, spec, version, workbook, form.to_json(), by=by)


@transaction.atomic
def _store_form(
    municipality: Municipality,
    spec: ProcedureSpec,
    version: str,
    workbook: bytes,
    form: dict[str, Any],
    *,
    by: Actor,
) -> Procedure:
    procedure, created = store_procedure(municipality, spec, workbook, form, version=version)
    audit.record(
        "procedures.form_imported",
        by=by,
        municipality=municipality,
        object_type="procedure",
        object_id=procedure.pk,
        detail={
            "procedure": spec.code,
            "created": created,
            "dictionary_version": version,
            "items": spec.items,
        },
    )
    return procedure
