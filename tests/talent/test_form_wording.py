"""The registration and posting forms speak plainly (issue 12's walkthrough): no prefecture is chosen for the
person, select boxes start with a prompt rather than Django's "---------", and a refused password says why in
plain Japanese rather than in Django's stock wording."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.test import Client

from chiiki.core.models import User
from chiiki.talent.models import Need, Organization, TalentProfile

JOIN = {
    "username": "newcomer", "display_name": "新人 太郎", "is_digital_talent": "on", "home_prefecture": "34",
    "hours_per_month": "10", "remote_ok": "on", "available_from": "2026-12-01", "fee_min_per_hour": "0",
    "languages": ["ja"], "visibility_profile": "public", "visibility_skills": "organizations",
    "visibility_availability": "organizations", "visibility_fees": "private",
}  # fmt: skip


def _first_option(page: str, name: str) -> str:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, name
    first = re.search(r"<option[^>]*>[^<]*</option>", select.group(1))
    assert first, name
    return first.group(0)


def test_the_join_form_chooses_no_prefecture_and_prompts_plainly(db: None) -> None:
    page = Client().get("/talent/join/").content.decode()
    assert _first_option(page, "home_prefecture") == '<option value="" selected>選んでください</option>'
    assert "---------" not in page
    refused = Client().post("/talent/join/", {**JOIN, "password": "a-long-password-1", "home_prefecture": ""})
    assert refused.status_code == 200
    assert not TalentProfile.objects.exists()


def test_a_refused_password_says_why_in_plain_words(db: None) -> None:
    cases = {
        "short-1": "パスワードは12文字以上にしてください。",
        "123456789012345": "数字だけのパスワードは使えません。",
        "password1234": "よく使われていて推測されやすいパスワードです。",
        "newcomer1234": "ログイン名や表示名に似たパスワードは使えません。",
    }
    for password, reason in cases.items():
        page = Client().post("/talent/join/", {**JOIN, "password": password}).content.decode()
        assert reason in page, password
        assert "確認してください(" not in page  # Django's "Ensure this value has at least …" in Japanese
    assert not TalentProfile.objects.exists()
    accepted = Client().post("/talent/join/", {**JOIN, "password": "a-long-password-1"})
    assert accepted.status_code == 302
    assert TalentProfile.objects.filter(user__username="newcomer").exists()


def test_the_organization_and_need_forms_start_every_select_with_a_prompt(
    company: Organization, company_user: User, cloud_need: Need, make_talent: Callable[..., TalentProfile],
    login: Callable[[User], Client],
) -> None:  # fmt: skip
    client = login(company_user)
    organization_form = client.get("/talent/organizations/new/").content.decode()
    need_form = client.get(f"/talent/organizations/{company.pk}/needs/new/").content.decode()
    for page in (organization_form, need_form):
        assert "---------" not in page
    assert _first_option(organization_form, "kind") == '<option value="" selected>選んでください</option>'
    assert (
        _first_option(organization_form, "prefecture") == '<option value="" selected>選んでください</option>'
    )
    assert _first_option(need_form, "kind") == '<option value="" selected>選んでください</option>'
    assert _first_option(need_form, "work_mode") == '<option value="" selected>選んでください</option>'
    assert _first_option(need_form, "business_field") == '<option value="" selected>なし</option>'
    # The need is placed in the organization's prefecture unless changed.
    assert '<option value="34" selected>広島県</option>' in need_form
    person = make_talent("hanako", visibility_profile="public")
    endorse_form = client.get(f"/talent/profiles/{person.pk}/").content.decode()
    assert "---------" not in endorse_form
    assert _first_option(endorse_form, "organization") == '<option value="" selected>選んでください</option>'
