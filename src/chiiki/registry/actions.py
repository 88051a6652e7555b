"""Changes to the resident registry. Each runs in one transaction and writes its audit record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction

from chiiki.core import audit
from chiiki.core.actions.jobs import enqueue_job
from chiiki.core.models import Municipality
from chiiki.registry.extract import ResidentRow
from chiiki.registry.models import District, Household, Person, RegistryUpload

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from chiiki.core.acting import Actor


class RegistryNotEmptyError(ValueError):
    """The municipality already has a registry and the caller did not ask to replace it."""


@dataclass(frozen=True, slots=True)
class ImportSummary:
    districts: int
    households: int
    persons: int


@transaction.atomic
def import_registry(
    municipality: Municipality,
    rows: list[ResidentRow],
    *,
    by: Actor,
    replace: bool = False,
) -> ImportSummary:
    """Load checked extract rows as the municipality's registry, all or nothing.

    With `replace`, the previous registry of that municipality is removed in the same transaction.
    """
    if Person.objects.filter(municipality=municipality).exists():
        if not replace:
            raise RegistryNotEmptyError(
                f"{municipality.display_name} には住民基本台帳が読み込まれています。置き換える場合は --replace を指定してください"
            )
        Person.objects.filter(municipality=municipality).delete()
        Household.objects.filter(municipality=municipality).delete()
        District.objects.filter(municipality=municipality).delete()
    districts: dict[str, District] = {}
    for row in rows:
        districts.setdefault(
            row.district_code,
            District(municipality=municipality, code=row.district_code, name=row.district_name),
        )
    District.objects.bulk_create(districts.values(), batch_size=1000)
    households: dict[str, Household] = {}
    for row in rows:
        households.setdefault(
            row.household_code,
            Household(
                municipality=municipality,
                household_code=row.household_code,
                district=districts[row.district_code],
                address=row.address,
                postal_code=row.postal_code,
                registered_on=row.registered_on,
            ),
        )
    Household.objects.bulk_create(households.values(), batch_size=1000)
    Person.objects.bulk_create(
        (
            Person(
                municipality=municipality,
                household=households[row.household_code],
                person_code=row.person_code,
                family_name=row.family_name,
                given_name=row.given_name,
                family_name_kana=row.family_name_kana,
                given_name_kana=row.given_name_kana,
                sex=row.sex,
                birth_date=row.birth_date,
                relationship=row.relationship,
                registered_on=row.registered_on,
                removed_on=row.removed_on,
            )
            for row in rows
        ),
        batch_size=2000,
    )
    summary = ImportSummary(len(districts), len(households), len(rows))
    audit.record(
        "registry.import",
        by=by,
        municipality=municipality,
        object_type="registry",
        detail={
            "districts": summary.districts,
            "households": summary.households,
            "persons": summary.persons,
            "replace": replace,
        },
    )
    return summary


@transaction.atomic
def request_registry_import(
    municipality: Municipality, file: UploadedFile, *, replace: bool, by: Actor
) -> RegistryUpload:
    """Keep an uploaded extract and queue its import by the worker (`tasks.import_uploaded_registry`)."""
    upload = RegistryUpload.objects.create(
        municipality=municipality,
        file=file,
        original_name=(file.name or "")[:200],
        uploaded_by=by.user,
        replace=replace,
    )
    audit.record(
        "registry.upload_received",
        by=by,
        municipality=municipality,
        object_type="registry_upload",
        object_id=upload.pk,
    )
    enqueue_job(upload)
    return upload
