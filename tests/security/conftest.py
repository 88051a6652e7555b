"""A small world of objects owned by someone, and an outsider with every kind of standing but no relation to them.

The outsider is a talent, a member of a verified company and an administrator of another municipality (town B):
if a page shows them any of these objects, it is an object-level access bug, not a missing role.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from chiiki.core.acting import Actor
from chiiki.core.models import Membership, Municipality, Role, User
from chiiki.opendata import actions as opendata_actions
from chiiki.opendata.models import Dataset, Resource
from chiiki.registry.models import Household
from chiiki.sidejob import actions as sidejob_actions
from chiiki.sidejob.models import ManagementAgreement, SideJobContract
from chiiki.talent import actions
from chiiki.talent.corporate_number import check_digit
from chiiki.talent.models import Introduction, Need, Organization, TalentProfile

PASSWORD = "correct-horse-battery-staple"  # the same as tests/conftest.py, so `login` works

AGREEMENT_45 = {
    "has_agreement": True, "monthly_limit_hours": 45, "annual_limit_hours": 360, "special_clause": False,
    "special_monthly_hours": 0, "special_annual_hours": 0, "special_months": 0, "year_start_month": 4,
    "legal_holiday_weekday": 6,
}  # fmt: skip


@dataclass
class World:
    """Objects of town A's people, and the outsider who may see none of them."""

    worker: TalentProfile
    employer: User
    company: Organization
    need: Need
    introduction: Introduction
    contract: SideJobContract
    agreement: ManagementAgreement
    dataset: Dataset
    resource: Resource
    household: Household
    outsider: User


def _profile_fields(name: str, **fields: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "display_name": name, "is_digital_talent": True, "is_side_job": True, "home_prefecture": 34,
        "hours_per_month": 40, "remote_ok": True, "on_site_ok": True, "available_from": dt.date(2026, 1, 1),
        "fee_min_per_hour": 3000, "languages": ["ja"], "contact_email": f"{name}@example.jp",
        "visibility_profile": "private", "visibility_skills": "private",
        "visibility_availability": "private", "visibility_fees": "private",
    }  # fmt: skip
    values.update(fields)
    return values


def _company(name: str, base: str, by: User) -> Organization:
    org = actions.register_organization(
        kind="company", name=name, corporate_number=f"{check_digit(base)}{base}", prefecture=34, by=Actor.for_user(by),
        contact_email=f"{base}@example.jp",
    )  # fmt: skip
    org.verified = True
    org.save()
    return org


def _need(org: Organization, by: User) -> Need:
    return actions.post_need(
        org,
        {"kind": Need.Kind.SIDE_JOB, "title": "クラウド移行", "role_id": "cloud_engineer_sre",
         "required": {"cloud_infrastructure": "b"}, "hours_per_month": 20, "work_mode": Need.WorkMode.REMOTE,
         "prefecture": 34, "budget_per_hour": 5000, "start_on": dt.date(2026, 12, 1), "languages": ["ja"]},
        by=Actor.for_user(by),
    )  # fmt: skip


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 is deliberately slow; these tests create several accounts and do not test hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(town_a: Municipality, town_b: Municipality, make_staff: Callable[..., User]) -> World:
    """A private worker with a side job at a company (accepted introduction, contract, 管理モデル), an
    unpublished dataset of town A, and an outsider who is a talent, a verified company's member and town B's
    administrator."""
    worker = actions.register_talent(
        username="worker", password=PASSWORD, fields=_profile_fields("worker"), by=Actor.system("test")
    )
    employer = User.objects.create_user(username="employer", password=PASSWORD)
    company = _company("株式会社しまなみ", "034000000001", employer)
    need = _need(company, employer)
    today = timezone.localdate()
    main = sidejob_actions.create_contract(
        worker, by=Actor.for_user(worker.user), kind="employment", concluded_on=today - dt.timedelta(days=400),
        employer_name="本業株式会社", agreement=AGREEMENT_45,
    )  # fmt: skip
    intro = actions.request_introduction(
        worker, company, side="talent", need=need, by=Actor.for_user(worker.user)
    )
    actions.respond_introduction(intro, accept=True, by=Actor.for_user(employer))
    side = sidejob_actions.create_contract(
        worker, by=Actor.for_user(employer), kind="employment", concluded_on=today - dt.timedelta(days=200),
        organization=company, agreement=AGREEMENT_45,
    )  # fmt: skip
    agreement = sidejob_actions.propose_management_model(
        worker, contracts=(main, side), first_cap_hours=30, second_cap_hours=40,
        starts_on=today.replace(day=1), by=Actor.for_user(worker.user),
    )  # fmt: skip

    outsider_profile = actions.register_talent(
        username="outsider", password=PASSWORD, fields=_profile_fields("outsider"), by=Actor.system("test")
    )
    outsider = outsider_profile.user
    _company("株式会社よそもの", "034000000002", outsider)
    Membership.objects.create(user=outsider, municipality=town_b, role=Role.ADMINISTRATOR)

    org = opendata_actions.organization_for(town_a, by=Actor.system("test"))
    dataset = opendata_actions.create_dataset(
        org, name="a-unpublished", title="未公開", by=Actor.system("test")
    )
    resource = opendata_actions.add_resource(
        dataset,
        by=Actor.system("test"),
        name="data.csv",
        fmt="CSV",
        content="名称\n秘密\n".encode(),
        filename="data.csv",
    )
    household = Household.objects.filter(municipality=town_a).first()
    assert household is not None
    return World(
        worker=worker, employer=employer, company=company, need=need, introduction=intro, contract=side,
        agreement=agreement, dataset=dataset, resource=resource, household=household, outsider=outsider,
    )  # fmt: skip
