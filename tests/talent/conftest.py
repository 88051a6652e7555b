"""Fixtures for the talent app: talent accounts, a verified company and a municipality organization."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality, Role, User
from chiiki.talent import actions
from chiiki.talent.corporate_number import check_digit
from chiiki.talent.models import Need, Organization, TalentProfile

PASSWORD = "correct-horse-battery-staple"  # the same as tests/conftest.py, so `login` works


def corporate_number(base: str) -> str:
    """A valid 法人番号 for a 12-digit base."""
    return f"{check_digit(base)}{base}"


@pytest.fixture
def make_talent(db: None) -> Callable[..., TalentProfile]:
    """Register a talent account with a profile (defaults: side-job digital talent in Hiroshima, remote)."""

    def make(username: str, **fields: Any) -> TalentProfile:
        values: dict[str, Any] = {
            "display_name": username,
            "is_digital_talent": True,
            "is_side_job": True,
            "home_prefecture": 34,
            "hours_per_month": 40,
            "remote_ok": True,
            "on_site_ok": True,
            "available_from": dt.date(2026, 1, 1),
            "fee_min_per_hour": 3000,
            "languages": ["ja"],
            "contact_email": f"{username}@example.jp",
            "visibility_profile": "organizations",
            "visibility_skills": "organizations",
            "visibility_availability": "organizations",
            "visibility_fees": "organizations",
        }
        values.update(fields)
        return actions.register_talent(
            username=username, password=PASSWORD, fields=values, by=Actor.system("test")
        )

    return make


@pytest.fixture
def company_user(db: None) -> User:
    return User.objects.create_user(username="company-rep", password=PASSWORD)


@pytest.fixture
def company(company_user: User) -> Organization:
    """A verified regional company in Hiroshima whose member is `company_user`."""
    org = actions.register_organization(
        kind="company",
        name="株式会社しまなみ製作所",
        corporate_number=corporate_number("034000000001"),
        prefecture=34,
        by=Actor.for_user(company_user),
        contact_email="jinji@shimanami.example.jp",
    )
    org.verified = True
    org.save()
    return org


@pytest.fixture
def admin_a(town_a: Municipality, make_staff: Callable[..., User]) -> User:
    """An administrator of town A (広島県府中町): posts needs, verifies organizations, sees the dashboard."""
    return make_staff("a-admin", town_a, Role.ADMINISTRATOR)


@pytest.fixture
def cloud_need(company: Organization, company_user: User) -> Need:
    """A remote side-job need for a cloud engineer at level b."""
    return actions.post_need(
        company,
        {
            "kind": Need.Kind.SIDE_JOB,
            "title": "クラウド移行の副業エンジニア",
            "role_id": "cloud_engineer_sre",
            "required": {"cloud_infrastructure": "b", "backend_development": "c"},
            "hours_per_month": 20,
            "work_mode": Need.WorkMode.REMOTE,
            "prefecture": 34,
            "budget_per_hour": 5000,
            "start_on": dt.date(2026, 12, 1),
            "languages": ["ja"],
        },
        by=Actor.for_user(company_user),
    )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 is deliberately slow; these tests create many accounts and do not test hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
