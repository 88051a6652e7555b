"""Side-job contracts and hours through the actions: who may record what, combining hours across employers
with the warnings each side receives, and what deleting the worker's profile removes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, User
from chiiki.sidejob import actions as sidejob_actions
from chiiki.sidejob import queries as sidejob_queries
from chiiki.sidejob.models import WorkEntry
from chiiki.talent import actions
from chiiki.talent.models import Introduction, Organization, TalentProfile


def test_hours_across_employers_warn_worker_and_employer(
    make_talent: Callable[..., TalentProfile], company: Organization, company_user: User
) -> None:
    worker = make_talent("hanako")
    intro = actions.request_introduction(worker, company, side="talent", by=Actor.for_user(worker.user))
    actions.respond_introduction(intro, accept=True, by=Actor.for_user(company_user))
    main = sidejob_actions.create_contract(
        worker,
        by=Actor.for_user(worker.user),
        kind="employment",
        concluded_on=dt.date(2020, 4, 1),
        employer_name="本業株式会社",
    )
    side = sidejob_actions.create_contract(
        worker, by=Actor.for_user(company_user), kind="employment", concluded_on=dt.date(2026, 1, 5), organization=company,
        agreement={"monthly_limit_hours": 30},
    )  # fmt: skip
    # April 2026: 10 h/day Mon–Fri at the main job (2 h/day overtime), Saturday 8 h at the side job.
    days = [dt.date(2026, 4, d) for d in range(1, 31)]
    sidejob_actions.record_hours(
        main, [(d, 600, True, dt.time(9)) for d in days if d.weekday() < 5], by=Actor.for_user(worker.user)
    )
    sidejob_actions.record_hours(
        side, [(d, 480, True, dt.time(9)) for d in days if d.weekday() == 5], by=Actor.for_user(company_user)
    )
    status = sidejob_queries.hours_status(worker)
    april = dt.date(2026, 4, 1)
    side_overtime = sum(
        em.overtime_combined
        for (eid, m), em in status.combined.employer_months.items()
        if eid == str(side.pk)
    )
    # In the three full weeks the main job's 5 × 8 h within-day hours fill 40 h, so each Saturday is overtime
    # of the later contract; in the week of 1 April (Wednesday) the main job only has 24 h, so it is not.
    assert side_overtime == 3 * 480
    side_warnings = status.for_contract(side)
    # 24 h of 30 h: within the 10 h margin, so the side employer is warned before the limit
    assert [(w.rule.value, w.severity.value) for w in side_warnings if w.month == april] == [
        ("agreement_monthly", "approaching")
    ]
    assert status.for_worker()
    assert not any(w.recipient == str(side.pk) for w in status.for_contract(main))


def test_only_the_employer_records_its_hours(
    make_talent: Callable[..., TalentProfile], company: Organization, company_user: User
) -> None:
    worker = make_talent("hanako")
    intro = actions.request_introduction(
        worker, company, side="organization", by=Actor.for_user(company_user)
    )
    with pytest.raises(sidejob_actions.SideJobActionError, match="紹介が成立"):
        sidejob_actions.create_contract(worker, by=Actor.for_user(company_user), kind="employment", concluded_on=dt.date(2026, 1, 5),
                                organization=company)  # fmt: skip
    actions.respond_introduction(intro, accept=True, by=Actor.for_user(worker.user))
    contract = sidejob_actions.create_contract(
        worker,
        by=Actor.for_user(company_user),
        kind="employment",
        concluded_on=dt.date(2026, 1, 5),
        organization=company,
    )
    with pytest.raises(sidejob_actions.SideJobActionError, match="権限"):
        sidejob_actions.record_hours(
            contract, [(dt.date(2026, 2, 2), 60, True, dt.time(9))], by=Actor.for_user(worker.user)
        )


def test_delete_removes_the_data_and_closes_the_account(
    make_talent: Callable[..., TalentProfile], company: Organization, company_user: User
) -> None:
    profile = make_talent("hanako")
    actions.set_skills(profile, {"cloud_infrastructure": 3}, by=Actor.for_user(profile.user))
    intro = actions.request_introduction(profile, company, side="talent", by=Actor.for_user(profile.user))
    actions.respond_introduction(intro, accept=True, by=Actor.for_user(company_user))
    contract = sidejob_actions.create_contract(
        profile,
        by=Actor.for_user(company_user),
        kind="employment",
        concluded_on=dt.date(2026, 1, 5),
        organization=company,
    )
    sidejob_actions.record_hours(
        contract, [(dt.date(2026, 2, 2), 60, True, dt.time(9))], by=Actor.for_user(company_user)
    )
    user, profile_id = profile.user, profile.pk
    actions.delete_profile(profile, by=Actor.for_user(user))
    user.refresh_from_db()
    assert not TalentProfile.objects.filter(pk=profile_id).exists()
    assert not WorkEntry.objects.exists()
    assert not Introduction.objects.exists()
    assert not user.is_active
    assert user.username == f"deleted-{user.pk}"
    assert not user.has_usable_password()
    assert AuditEvent.objects.filter(action="talent.profile_deleted", object_id=str(profile_id)).exists()
