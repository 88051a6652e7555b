"""Contracts of a side-job worker and the blocks of work recorded under them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.sidejob.actions._base import SideJobActionError, full_clean, is_worker, records_hours
from chiiki.sidejob.models import SideJobContract, WorkEntry
from chiiki.talent.access import can_act_for
from chiiki.talent.models import Introduction, Organization, TalentProfile


def _employer_name(worker: TalentProfile, organization: Organization | None, name: str, by: Actor) -> str:
    """Who may record the contract: the organization after an accepted introduction, else the worker."""
    if organization is None:
        if not is_worker(by, worker):
            raise SideJobActionError("本業など、基盤外の契約は本人だけが登録できます。")
        return name
    if by.user is None or not can_act_for(by.user, organization):
        raise SideJobActionError("この団体として契約を登録する権限がありません。")
    if not any(i.accepted for i in Introduction.objects.filter(profile=worker, organization=organization)):
        raise SideJobActionError("紹介が成立した人材とだけ契約を登録できます。")
    return organization.name


@transaction.atomic
def create_contract(
    worker: TalentProfile,
    *,
    by: Actor,
    kind: str,
    concluded_on: dt.date,
    organization: Organization | None = None,
    employer_name: str = "",
    agreement: Mapping[str, Any] | None = None,
) -> SideJobContract:
    """Record a contract. An organization records its own contract only after an accepted introduction;
    the worker records contracts with employers that are not on the platform (e.g. the main job)."""
    contract = SideJobContract(
        worker=worker,
        organization=organization,
        employer_name=_employer_name(worker, organization, employer_name, by),
        kind=kind,
        concluded_on=concluded_on,
        created_by=by.user,
        **dict(agreement or {}),
    )
    full_clean(contract, exclude=["worker", "organization", "created_by"])
    contract.save()
    audit.record(
        "talent.contract_recorded",
        by=by,
        municipality=organization.municipality_id if organization else None,
        object_type="talent_contract",
        object_id=contract.pk,
        detail={"worker": worker.pk, "kind": kind},
    )
    return contract


@transaction.atomic
def record_hours(
    contract: SideJobContract, entries: Iterable[tuple[dt.date, int, bool, dt.time]], *, by: Actor
) -> int:
    """Record blocks of work (day, minutes, within scheduled hours?, start) under a contract, all or none."""
    if not records_hours(by, contract):
        raise SideJobActionError("この契約の労働時間を記録する権限がありません。")
    rows = []
    for day, minutes, scheduled, start in entries:
        if not 0 < minutes <= 24 * 60:
            raise SideJobActionError(f"時間は1分〜24時間です: {day} {minutes}分")
        if day < contract.concluded_on:
            raise SideJobActionError(f"契約締結日より前の日付です: {day}")
        rows.append(
            WorkEntry(
                contract=contract,
                day=day,
                minutes=minutes,
                scheduled=scheduled,
                start=start,
                recorded_by=by.user,
            )
        )
    WorkEntry.objects.bulk_create(rows)
    audit.record(
        "talent.hours_recorded",
        by=by,
        municipality=contract.organization.municipality_id if contract.organization else None,
        object_type="talent_contract",
        object_id=contract.pk,
        detail={"entries": len(rows), "minutes": sum(r.minutes for r in rows)},
    )
    return len(rows)
