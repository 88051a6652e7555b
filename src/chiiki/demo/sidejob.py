"""Demo side jobs for the Chugoku talent bank: a dozen side-job workers with their main job (recorded by the
worker) and a side job at a regional employer, three months of hours that reach the warning margins, and two
workers whose employers run the 管理モデル.

Called by chiiki.demo.talent once the people and organizations exist; deterministic for a given day.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from chiiki.sidejob.models import ManagementAgreement, SideJobContract, WorkEntry
from chiiki.talent.models import Introduction, Organization, TalentProfile

MAIN_JOB = "本業(東京の会社)"
WORKERS = 12
WITH_DEMO_COMPANY = 4  # the first workers' side job is with the demo company's account, so it sees them
IN_MANAGEMENT_MODEL = 2


def load_sidejob_demo(
    people: list[TalentProfile], companies: list[Organization], demo_company: Organization, *, today: dt.date
) -> int:
    """Create the contracts, hours and 管理モデル; returns the number of contracts."""
    pairs = _contracts(_side_workers(people), companies, demo_company, today.replace(day=1))
    WorkEntry.objects.bulk_create(_entries(pairs, today), batch_size=2000)
    _management_models(pairs[:IN_MANAGEMENT_MODEL], today.replace(day=1))
    return 2 * len(pairs)


def _side_workers(people: list[TalentProfile]) -> list[TalentProfile]:
    """The demo talent account first, then the first side-job professionals."""
    side = [p for p in people if p.is_side_job][:WORKERS]
    return [people[0], *[p for p in side if p.pk != people[0].pk]][:WORKERS]


def _contracts(
    workers: list[TalentProfile], companies: list[Organization], demo_company: Organization, month: dt.date
) -> list[tuple[SideJobContract, SideJobContract]]:
    """For each worker a main job and a side job (with the accepted introduction the side job needs)."""
    now = timezone.now()
    pairs = []
    for k, worker in enumerate(workers):
        employer = demo_company if k < WITH_DEMO_COMPANY else companies[k % len(companies)]
        main = SideJobContract(
            worker=worker, employer_name=MAIN_JOB, kind="employment", concluded_on=dt.date(2018, 4, 1)
        )
        side = SideJobContract(
            worker=worker, organization=employer, employer_name=employer.name,
            kind="mandate" if k % 4 == 3 else "employment", concluded_on=month - dt.timedelta(days=120),
            monthly_limit_hours=30, annual_limit_hours=300,
        )  # fmt: skip
        Introduction.objects.get_or_create(
            profile=worker, organization=employer, need=None,
            defaults={"initiated_by": "talent", "organization_accepted_at": now, "talent_accepted_at": now},
        )  # fmt: skip
        pairs.append((main, side))
    SideJobContract.objects.bulk_create([c for pair in pairs for c in pair])
    return pairs


def _entries(pairs: list[tuple[SideJobContract, SideJobContract]], today: dt.date) -> list[WorkEntry]:
    """Three months of long weekdays at the main job and Saturdays at the side job, varying by worker."""
    entries: list[WorkEntry] = []
    for k, (main, side) in enumerate(pairs):
        day = today.replace(day=1) - dt.timedelta(days=90)
        while day < today:
            if day.weekday() < 5:
                entries.append(
                    WorkEntry(contract=main, day=day, minutes=600 - 30 * (k % 4), start=dt.time(9))
                )
            elif day.weekday() == 5 and (k % 3 != 1 or day.day < 15):
                entries.append(
                    WorkEntry(contract=side, day=day, minutes=360 - 60 * (k % 3), start=dt.time(10))
                )
            day += dt.timedelta(days=1)
    return entries


def _management_models(pairs: list[tuple[SideJobContract, SideJobContract]], month: dt.date) -> None:
    """Main job 使用者A: 45 h of 法定外; side job 使用者B: 30 h in all (75 h ≤ 80 h); both sides confirmed, so the
    worker's and the employer's pages show their own hours against their caps."""
    now = timezone.now()
    ManagementAgreement.objects.bulk_create(
        ManagementAgreement(
            worker=main.worker,
            first_contract=main,
            second_contract=side,
            first_cap_hours=45,
            second_cap_hours=30,
            starts_on=(month - dt.timedelta(days=90)).replace(day=1),
            first_confirmed_at=now,
            second_confirmed_at=now,
        )
        for main, side in pairs
    )
