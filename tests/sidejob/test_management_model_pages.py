"""管理モデル pages: the worker sets up caps for two employers, each employer confirms its own side and is
warned when its own hours approach or pass its cap, without seeing the other employer's hours."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from chiiki.core.acting import Actor
from chiiki.core.models import User
from chiiki.sidejob import actions as sidejob_actions
from chiiki.sidejob.models import ManagementAgreement, SideJobContract
from chiiki.talent import actions
from chiiki.talent.models import Organization, TalentProfile

AGREEMENT_45 = {
    "has_agreement": True, "monthly_limit_hours": 45, "annual_limit_hours": 360, "special_clause": False,
    "special_monthly_hours": 0, "special_annual_hours": 0, "special_months": 0, "year_start_month": 4,
    "legal_holiday_weekday": 6,
}  # fmt: skip


@pytest.fixture
def two_jobs(
    make_talent: Callable[..., TalentProfile], company: Organization, company_user: User
) -> tuple[TalentProfile, SideJobContract, SideJobContract]:
    """A worker whose main job (not on the platform, recorded by the worker) came first and whose side job
    at the company came later: the main job is 使用者A, the company 使用者B."""
    worker = make_talent("hanako")
    today = timezone.localdate()
    main = sidejob_actions.create_contract(
        worker, by=Actor.for_user(worker.user), kind="employment", concluded_on=today - dt.timedelta(days=400),
        employer_name="本業株式会社", agreement=AGREEMENT_45,
    )  # fmt: skip
    intro = actions.request_introduction(worker, company, side="talent", by=Actor.for_user(worker.user))
    actions.respond_introduction(intro, accept=True, by=Actor.for_user(company_user))
    side = sidejob_actions.create_contract(
        worker, by=Actor.for_user(company_user), kind="employment", concluded_on=today - dt.timedelta(days=200),
        organization=company, agreement=AGREEMENT_45,
    )  # fmt: skip
    return worker, main, side


def _propose(client: Client, a: SideJobContract, b: SideJobContract, cap_a: int, cap_b: int) -> str:
    response = client.post(
        "/talent/me/hours/model/",
        {"first_contract": a.pk, "second_contract": b.pk, "first_cap_hours": cap_a, "second_cap_hours": cap_b,
         "starts_on": timezone.localdate().replace(day=1).isoformat()},
        follow=True,
    )  # fmt: skip
    assert response.status_code == 200
    return response.content.decode()


def test_worker_sets_up_a_model_and_the_company_confirms_its_side(
    two_jobs: tuple[TalentProfile, SideJobContract, SideJobContract],
    company_user: User,
    login: Callable[[User], Client],
) -> None:
    worker, main, side = two_jobs
    worker_client = login(worker.user)
    assert worker_client.get("/talent/me/hours/model/").status_code == 200
    page = _propose(worker_client, main, side, 30, 40)
    agreement = ManagementAgreement.objects.get()
    assert (agreement.first_contract, agreement.second_contract) == (main, side)
    # The worker records the main job's hours, so that side is confirmed; the company has not agreed yet.
    assert agreement.first_confirmed_at is not None
    assert agreement.second_confirmed_at is None
    assert not agreement.in_force
    assert "同意待ち" in page

    company_client = login(company_user)
    company_page = company_client.get(f"/talent/hours-models/{agreement.pk}/").content.decode()
    assert "この上限に同意する" in company_page
    assert (
        "管理モデル適用中"
        not in company_client.get(f"/talent/organizations/{side.organization_id}/").content.decode()
    )
    company_client.post(f"/talent/hours-models/{agreement.pk}/", {"action": "confirm"})
    agreement.refresh_from_db()
    assert agreement.in_force

    hours_page = worker_client.get("/talent/me/hours/").content.decode()
    assert "適用中" in hours_page
    assert "本業株式会社" in hours_page
    org_page = company_client.get(f"/talent/organizations/{side.organization_id}/").content.decode()
    assert "管理モデル適用中" in org_page
    contract_page = company_client.get(f"/talent/contracts/{side.pk}/").content.decode()
    assert "労働時間(すべて時間外労働として扱う)の上限 月40時間" in contract_page
    exported = json.loads(worker_client.get("/talent/me/export.json").content)
    assert exported["management_models"][0]["second_cap_hours"] == 40


@pytest.mark.parametrize(
    ("cap_a", "cap_b", "limit_named"),
    [
        (50, 40, "複数月平均80時間以内"),  # 90 h: under 100 but over the 80 h average
        (60, 45, "月100時間未満"),  # 105 h
        (46, 20, "36協定の月の上限"),  # A's cap over its own 36協定 (45 h)
    ],
)
def test_caps_that_break_a_limit_are_refused_with_the_limit_named(
    two_jobs: tuple[TalentProfile, SideJobContract, SideJobContract],
    login: Callable[[User], Client],
    cap_a: int,
    cap_b: int,
    limit_named: str,
) -> None:
    worker, main, side = two_jobs
    page = _propose(login(worker.user), main, side, cap_a, cap_b)
    assert limit_named in page
    assert not ManagementAgreement.objects.exists()


def test_employer_a_must_be_the_earlier_contract(
    two_jobs: tuple[TalentProfile, SideJobContract, SideJobContract], login: Callable[[User], Client]
) -> None:
    worker, main, side = two_jobs
    page = _propose(login(worker.user), side, main, 30, 40)
    assert "使用者Aには先に締結した契約を選んでください" in page
    assert not ManagementAgreement.objects.exists()


def test_employer_is_warned_against_its_own_cap_and_does_not_see_the_other_employers_hours(
    two_jobs: tuple[TalentProfile, SideJobContract, SideJobContract],
    company_user: User,
    login: Callable[[User], Client],
) -> None:
    worker, main, side = two_jobs
    start = timezone.localdate().replace(day=1)
    agreement = sidejob_actions.propose_management_model(
        worker,
        contracts=(main, side),
        first_cap_hours=30,
        second_cap_hours=40,
        starts_on=start,
        by=Actor.for_user(worker.user),
    )
    sidejob_actions.confirm_management_model(agreement, by=Actor.for_user(company_user))
    # The worker records long days at the main job; the company must not see them.
    sidejob_actions.record_hours(main, [(start, 11 * 60, True, dt.time(8))], by=Actor.for_user(worker.user))
    company_client = login(company_user)

    def record(day: dt.date) -> str:
        response = company_client.post(
            f"/talent/contracts/{side.pk}/",
            {"day": day.isoformat(), "hours": "8", "start": "18:00"},
            follow=True,
        )
        return response.content.decode()

    for offset in range(3):  # 24 h of the 40 h cap: no warning yet
        page = record(start + dt.timedelta(days=offset))
    assert "管理モデルで事前に合意した上限" not in page
    page = record(start + dt.timedelta(days=3))  # 32 h: within 10 h of the cap
    assert "管理モデルで事前に合意した上限。上限に近づいています" in page
    record(start + dt.timedelta(days=4))
    page = record(start + dt.timedelta(days=5))  # 48 h
    assert "管理モデルで事前に合意した上限。上限を超えています" in page

    model_page = company_client.get(f"/talent/hours-models/{agreement.pk}/").content.decode()
    assert "時間外・休日労働(自社分のみ)の上限" not in model_page  # 使用者A's own table is the worker's
    assert "労働時間(すべて時間外労働として扱う)の上限" in model_page
    worker_page = login(worker.user).get(f"/talent/hours-models/{agreement.pk}/").content.decode()
    assert "時間外・休日労働(自社分のみ)の上限" in worker_page


def test_others_cannot_see_a_model_and_either_side_can_end_it(
    two_jobs: tuple[TalentProfile, SideJobContract, SideJobContract],
    company_user: User,
    make_talent: Callable[..., TalentProfile],
    login: Callable[[User], Client],
) -> None:
    worker, main, side = two_jobs
    start = timezone.localdate().replace(day=1)
    agreement = sidejob_actions.propose_management_model(
        worker,
        contracts=(main, side),
        first_cap_hours=30,
        second_cap_hours=40,
        starts_on=start,
        by=Actor.for_user(worker.user),
    )
    stranger = make_talent("taro")
    assert login(stranger.user).get(f"/talent/hours-models/{agreement.pk}/").status_code == 403
    with pytest.raises(sidejob_actions.SideJobActionError, match="終了していない管理モデル"):
        sidejob_actions.propose_management_model(
            worker, contracts=(main, side), first_cap_hours=20, second_cap_hours=20, starts_on=start,
            by=Actor.for_user(worker.user),
        )  # fmt: skip
    login(company_user).post(f"/talent/hours-models/{agreement.pk}/", {"action": "end"})
    agreement.refresh_from_db()
    assert agreement.ended_on is not None
    again = sidejob_actions.propose_management_model(
        worker,
        contracts=(main, side),
        first_cap_hours=20,
        second_cap_hours=20,
        starts_on=start,
        by=Actor.for_user(worker.user),
    )
    assert again.pk != agreement.pk
