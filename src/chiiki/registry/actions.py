"""Changes to the resident registry. Each runs in one transaction and writes its audit record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction

from chiiki.core import audit
from chiiki.core.actions.jobs import enqueue_job
from chiiki.core.models import Municipality
from chiiki.registry.extract import ExtractError, ExtractStream, ResidentRow
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
    _clear_or_refuse(municipality, replace=replace)
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
    _record_import(municipality, summary, by=by, replace=replace)
    return summary


def _record_import(municipality: Municipality, summary: ImportSummary, *, by: Actor, replace: bool) -> None:
    """The audit record of a registry import, whichever way the rows came in."""
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


def _clear_or_refuse(municipality: Municipality, *, replace: bool) -> None:
    if Person.objects.filter(municipality=municipality).exists():
        if not replace:
            raise RegistryNotEmptyError(
                f"{municipality.display_name} には住民基本台帳が読み込まれています。置き換える場合は --replace を指定してください"
            )
        # In chunks: Django's delete collects the rows it deletes, and a city's registry is millions of rows.
        for model in (Person, Household, District):
            while pks := list(
                model.objects.filter(municipality=municipality).values_list("pk", flat=True)[:5000]
            ):
                model.objects.filter(pk__in=pks).delete()


@transaction.atomic
def import_extract(
    municipality: Municipality, stream: ExtractStream, *, by: Actor, replace: bool = False
) -> ImportSummary:
    """Load an extract read chunk by chunk as the municipality's registry, all or nothing, in constant memory.

    Each chunk is written as it is read, in this one transaction; the checks across rows (a person named twice,
    a household given two addresses) are made against what the transaction wrote so far. Any problem, in any
    row, raises ExtractError naming every problem's row and column, and the transaction rolls back: nothing
    is written. Only the districts (a few hundred at most) are held in memory across chunks.
    """
    _clear_or_refuse(municipality, replace=replace)
    districts: dict[str, District] = {}
    households = persons = 0
    for chunk in stream.chunks():
        new_households, new_persons = _write_chunk(municipality, chunk, districts, stream)
        households, persons = households + new_households, persons + new_persons
    stream.cross_row_problems()
    if stream.problems:
        raise ExtractError(stream.problems)  # rolls back every chunk written
    summary = ImportSummary(len(districts), households, persons)
    _record_import(municipality, summary, by=by, replace=replace)
    return summary


def _write_chunk(
    municipality: Municipality,
    chunk: list[ResidentRow],
    districts: dict[str, District],
    stream: ExtractStream,
) -> tuple[int, int]:
    """Write one chunk's new districts, households and persons; note rows that clash with earlier ones."""
    new_districts = []
    for row in chunk:
        if row.district_code not in districts:
            district = District(municipality=municipality, code=row.district_code, name=row.district_name)
            districts[row.district_code] = district
            new_districts.append(district)
    District.objects.bulk_create(new_districts)
    codes = {row.household_code for row in chunk}
    known = {
        household.household_code: household
        for household in Household.objects.filter(municipality=municipality, household_code__in=codes).only(
            "id", "household_code", "address", "district_id"
        )
    }
    new_households: dict[str, Household] = {}
    for row in chunk:
        household = known.get(row.household_code) or new_households.get(row.household_code)
        if household is None:
            new_households[row.household_code] = Household(
                municipality=municipality,
                household_code=row.household_code,
                district=districts[row.district_code],
                address=row.address,
                postal_code=row.postal_code,
                registered_on=row.registered_on,
            )
        elif (household.address, household.district_id) != (row.address, districts[row.district_code].pk):
            stream.household_differs(row)
    Household.objects.bulk_create(new_households.values())
    taken = set(
        Person.objects.filter(
            municipality=municipality, person_code__in=[row.person_code for row in chunk]
        ).values_list("person_code", flat=True)
    )
    people = []
    for row in chunk:
        if row.person_code in taken:
            stream.duplicate_person(row)
            continue
        taken.add(row.person_code)
        household = known.get(row.household_code) or new_households[row.household_code]
        people.append(_person(municipality, household, row))
    Person.objects.bulk_create(people)
    return len(new_households), len(people)


def _person(municipality: Municipality, household: Household, row: ResidentRow) -> Person:
    return Person(
        municipality=municipality,
        household=household,
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
