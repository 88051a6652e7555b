"""Talent pages: registration, search with visibility, match lists, introductions, hours, dashboard, export/delete."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.test import Client

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.talent import actions
from chiiki.talent.models import Exposure, Introduction, Need, Organization, TalentProfile

from .conftest import PASSWORD, corporate_number


def test_anyone_can_register_as_talent_and_is_logged_in(db: None) -> None:
    client = Client()
    assert client.get("/talent/join/").status_code == 200
    response = client.post(
        "/talent/join/",
        {
            "username": "newcomer", "password": "a-long-password-1", "display_name": "新人 太郎",
            "is_mentor": "on", "home_prefecture": "32", "hours_per_month": "10", "remote_ok": "on",
            "available_from": "2026-12-01", "fee_min_per_hour": "0", "languages": ["ja", "en"],
            "mentor_fields": ["2"], "mentor_stages": ["0", "1"], "visibility_profile": "public",
            "visibility_skills": "organizations", "visibility_availability": "organizations",
            "visibility_fees": "private",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    profile = TalentProfile.objects.get(user__username="newcomer")
    assert profile.is_mentor
    assert profile.mentor_stages == [0, 1]
    assert profile.user.memberships.count() == 0
    assert client.get("/talent/me/").status_code == 200


def test_join_without_any_capacity_is_refused(db: None) -> None:
    response = Client().post(
        "/talent/join/",
        {"username": "x", "password": "a-long-password-1", "display_name": "x", "home_prefecture": "32",
         "hours_per_month": "10", "available_from": "2026-12-01", "fee_min_per_hour": "0", "languages": ["ja"],
         "visibility_profile": "public", "visibility_skills": "public", "visibility_availability": "public",
         "visibility_fees": "public"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "1つ以上" in response.content.decode()
    # Said once, in plain words: not also as the database constraint's name.
    assert "profile_has_a_kind" not in response.content.decode()


def test_search_shows_only_profiles_the_viewer_may_list(
    make_talent: Callable[..., TalentProfile],
    company: Organization,
    company_user: User,
    login: Callable[[User], Client],
) -> None:
    make_talent("public-person", visibility_profile="public")
    make_talent("org-only-person", visibility_profile="organizations")
    make_talent("private-person", visibility_profile="private")
    anonymous = Client().get("/talent/").content.decode()
    assert "public-person" in anonymous
    assert "org-only-person" not in anonymous
    as_company = login(company_user).get("/talent/").content.decode()
    assert "org-only-person" in as_company
    assert "private-person" not in as_company
    assert AuditEvent.objects.filter(action="talent.profiles_searched", actor=company_user).exists()


def test_hidden_profile_page_is_not_found(make_talent: Callable[..., TalentProfile]) -> None:
    hidden = make_talent("hidden", visibility_profile="private")
    assert Client().get(f"/talent/profiles/{hidden.pk}/").status_code == 404


def test_private_fees_are_not_shown_to_an_organization(
    make_talent: Callable[..., TalentProfile], company_user: User, company: Organization,
    login: Callable[[User], Client],
) -> None:  # fmt: skip
    profile = make_talent("hanako", fee_min_per_hour=7777, visibility_fees="private")
    page = login(company_user).get(f"/talent/profiles/{profile.pk}/").content.decode()
    assert "hanako" in page
    assert "7777" not in page
    assert AuditEvent.objects.filter(action="talent.profile_viewed", object_id=str(profile.pk)).exists()


def test_need_matches_show_explanations_to_the_organization_only(
    make_talent: Callable[..., TalentProfile], cloud_need: Need, company_user: User,
    login: Callable[[User], Client],
) -> None:  # fmt: skip
    person = make_talent("hanako")
    actions.set_skills(
        person, {"cloud_infrastructure": 3, "backend_development": 3}, by=Actor.for_user(person.user)
    )
    page = login(company_user).get(f"/talent/needs/{cloud_need.pk}/matches/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "hanako" in text
    assert "満たすスキル" in text
    assert login(person.user).get(f"/talent/needs/{cloud_need.pk}/matches/").status_code == 403
    english = login(company_user)
    english.cookies["django_language"] = "en"
    text_en = english.get(f"/talent/needs/{cloud_need.pk}/matches/").content.decode()
    assert "Skills met" in text_en
    assert "満たすスキル" not in text_en


def test_introduction_flow_reveals_contact_after_both_accept(
    make_talent: Callable[..., TalentProfile], cloud_need: Need, company_user: User,
    login: Callable[[User], Client],
) -> None:  # fmt: skip
    person = make_talent("hanako")
    company_client = login(company_user)
    response = company_client.post(
        "/talent/introductions/new/", {"profile": person.pk, "need": cloud_need.pk, "message": "ぜひ"}
    )
    intro = Introduction.objects.get()
    assert response.status_code == 302
    assert (
        "hanako@example.jp" not in company_client.get(f"/talent/introductions/{intro.pk}/").content.decode()
    )
    person_client = login(person.user)
    person_client.post(f"/talent/introductions/{intro.pk}/", {"answer": "accept"})
    assert "hanako@example.jp" in company_client.get(f"/talent/introductions/{intro.pk}/").content.decode()
    assert (
        "jinji@shimanami.example.jp"
        in person_client.get(f"/talent/introductions/{intro.pk}/").content.decode()
    )
    stranger = login(make_talent("stranger").user)
    assert stranger.get(f"/talent/introductions/{intro.pk}/").status_code == 403


def test_company_registers_with_a_corporate_number(
    company_user: User, login: Callable[[User], Client]
) -> None:
    client = login(company_user)
    bad = client.post(
        "/talent/organizations/new/",
        {
            "kind": "startup",
            "name": "株式会社テスト",
            "corporate_number": "1234567890123",
            "prefecture": "33",
        },
    )
    assert "検査用数字" in bad.content.decode()
    good = client.post(
        "/talent/organizations/new/",
        {"kind": "startup", "name": "株式会社テスト", "corporate_number": corporate_number("033000000123"),
         "prefecture": "33", "startup_stage": "1"},
    )  # fmt: skip
    assert good.status_code == 302
    assert Organization.objects.get(name="株式会社テスト").members.filter(user=company_user).exists()


def test_company_posts_a_need_from_a_role(
    company: Organization, company_user: User, login: Callable[[User], Client]
) -> None:
    response = login(company_user).post(
        f"/talent/organizations/{company.pk}/needs/new/",
        {"kind": "0", "title": "データ活用プロジェクト", "role_id": "data_engineer", "role_level": "2",
         "hours_per_month": "30", "work_mode": "2", "prefecture": "34", "budget_per_hour": "4000",
         "start_on": "2027-01-10", "languages": ["ja"]},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    need = Need.objects.get(title="データ活用プロジェクト")
    assert need.required
    assert set(need.required.values()) <= {"c", "d"}  # capped at the chosen level c


def test_municipal_staff_post_needs_and_see_the_dashboard(
    town_a: Municipality,
    admin_a: User,
    login: Callable[[User], Client],
    make_talent: Callable[..., TalentProfile],
) -> None:
    make_talent("hanako")
    client = login(admin_a)
    response = client.post(
        f"/staff/m/{town_a.code}/talent/needs/new/",
        {"kind": "3", "title": "起業支援のメンター", "role_level": "3", "hours_per_month": "4", "work_mode": "0",
         "prefecture": "34", "budget_per_hour": "0", "start_on": "2027-01-10", "business_field": "0",
         "startup_stage": "0"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Need.objects.get().organization.municipality == town_a
    page = client.get(f"/staff/m/{town_a.code}/talent/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "広島県" in text
    assert "<svg" in text


def test_export_and_delete_own_data(
    make_talent: Callable[..., TalentProfile], cloud_need: Need, login: Callable[[User], Client]
) -> None:
    profile = make_talent("hanako")
    Exposure.objects.create(profile=profile, need=cloud_need, times_shown=3)
    client = login(profile.user)
    exported = client.get("/talent/me/export.json")
    assert exported["Content-Type"].startswith("application/json")
    data = json.loads(exported.content)
    assert data["profile"]["display_name"] == "hanako"
    assert [(e["need"], e["times_shown"]) for e in data["exposure"]] == [(cloud_need.title, 3)]
    client.post("/talent/me/delete/", {"confirm": "delete"})
    assert not TalentProfile.objects.exists()
    assert not Exposure.objects.exists()
    assert AuditEvent.objects.filter(action="talent.profile_deleted").exists()


def test_staff_pages_refuse_other_roles(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    from chiiki.core.models import Role

    client = login(make_staff("a-enum", town_a, Role.ENUMERATOR))
    assert client.get(f"/staff/m/{town_a.code}/talent/").status_code == 403
    assert client.get(f"/staff/m/{town_a.code}/talent/needs/new/").status_code == 403


def test_pages_render_for_a_logged_in_person(
    make_talent: Callable[..., TalentProfile], cloud_need: Need, login: Callable[[User], Client]
) -> None:
    profile = make_talent("hanako")
    client = login(profile.user)
    for url in ("/talent/", "/talent/needs/", f"/talent/needs/{cloud_need.pk}/", "/talent/me/", "/talent/me/edit/",
                "/talent/me/skills/", "/talent/me/matches/", "/talent/me/hours/", "/talent/introductions/",
                f"/talent/profiles/{profile.pk}/", "/talent/organizations/new/", "/talent/me/delete/"):  # fmt: skip
        assert client.get(url).status_code == 200, url


def test_staff_of_one_town_cannot_use_another_towns_talent_pages(
    town_a: Municipality, town_b: Municipality, admin_a: User, login: Callable[[User], Client]
) -> None:
    client = login(admin_a)
    for url in (f"/staff/m/{town_b.code}/talent/", f"/staff/m/{town_b.code}/talent/needs/new/",
                f"/staff/m/{town_b.code}/talent/organizations/"):  # fmt: skip
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url


def test_administrator_verifies_an_organization_of_the_same_prefecture(
    town_a: Municipality, admin_a: User, company_user: User, login: Callable[[User], Client],
    make_talent: Callable[..., TalentProfile],
) -> None:  # fmt: skip
    org = actions.register_organization(
        kind="company", name="株式会社みよし", corporate_number=corporate_number("034000000555"), prefecture=34,
        by=Actor.for_user(company_user),
    )  # fmt: skip
    person = make_talent("hanako")
    actions.set_skills(person, {"project_management": 3}, by=Actor.for_user(person.user))
    company_client = login(company_user)
    page = company_client.get(f"/talent/profiles/{person.pk}/").content.decode()
    assert "推薦する" not in page  # not verified yet: cannot endorse
    client = login(admin_a)
    assert "株式会社みよし" in client.get(f"/staff/m/{town_a.code}/talent/organizations/").content.decode()
    assert (
        client.post(f"/staff/m/{town_a.code}/talent/organizations/", {"organization": org.pk}).status_code
        == 302
    )
    org.refresh_from_db()
    assert org.verified
    company_client.post(
        f"/talent/profiles/{person.pk}/endorse/",
        {"organization": org.pk, "skill_id": "project_management", "level": "3"},
    )
    assert person.skills.get(skill_id="project_management").tier == 2


def test_person_changes_visibility_and_adds_evidence_through_the_pages(
    make_talent: Callable[..., TalentProfile], login: Callable[[User], Client]
) -> None:
    profile = make_talent("hanako", travel_prefectures=[31, 35])
    client = login(profile.user)
    form = client.get("/talent/me/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update({"visibility_fees": "private", "is_digital_talent": "on", "is_side_job": "on", "remote_ok": "on",
                 "on_site_ok": "on", "available_from": "2026-01-01"})  # fmt: skip
    data = {k: v for k, v in data.items() if v is not False}
    response = client.post("/talent/me/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    profile.refresh_from_db()
    assert profile.visibility_fees == "private"
    assert profile.travel_prefectures == [31, 35]
    event = AuditEvent.objects.filter(action="talent.profile_updated").get()
    assert event.detail["fields"] == ["visibility_fees"]
    client.post("/talent/me/skills/", {"cloud_infrastructure": "2"})
    assert profile.skills.get(skill_id="cloud_infrastructure").tier == 0
    client.post(
        "/talent/me/evidence/",
        {"kind": "certification", "certification_id": "AWS-SAA", "obtained_on": "2026-06-01"},
    )
    assert profile.skills.get(skill_id="cloud_infrastructure").tier == 1
    missing = client.post("/talent/me/evidence/", {"kind": "itss"}, follow=True)
    assert "必須" in missing.content.decode()


def test_the_skill_standard_is_named_in_the_page_language(db: None) -> None:
    japanese = Client().get("/talent/join/").content.decode()
    assert "ビジネスアーキテクト" in japanese
    assert "Business Architect" not in japanese
    client = Client()
    client.cookies["django_language"] = "en"
    english = client.get("/talent/join/").content.decode()
    assert "Business Architect" in english
    assert "Seed" in english  # the startup stages a mentor can support
    assert "シード" not in english


def test_the_dashboard_offers_only_the_links_the_viewer_may_follow(
    town_a: Municipality,
    admin_a: User,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    url = f"/staff/m/{town_a.code}/talent/"
    need_new = f"/staff/m/{town_a.code}/talent/needs/new/"
    verify = f"/staff/m/{town_a.code}/talent/organizations/"
    as_admin = login(admin_a).get(url).content.decode()
    assert need_new in as_admin
    assert verify in as_admin
    # The auditor may read the figures but not post or verify: links to a 403 page are dead ends.
    auditor = login(make_staff("a-auditor", town_a, Role.AUDITOR))
    as_auditor = auditor.get(url).content.decode()
    assert need_new not in as_auditor
    assert verify not in as_auditor
    assert auditor.get(need_new).status_code == 403


def test_skill_level_choices_follow_the_interface_language() -> None:
    # They were plain Japanese strings, shown untranslated on the English skills and need forms.
    from django.utils.functional import Promise

    from chiiki.talent import skills

    assert all(isinstance(label, Promise) for _level, label in skills.LEVEL_CHOICES)


def test_the_evidence_tier_on_the_profile_follows_the_interface_language(
    make_talent: Callable[..., TalentProfile], login: Callable[[User], Client]
) -> None:
    profile = make_talent("hanako", visibility_skills="public")
    client = login(profile.user)
    client.post("/talent/me/skills/", {"cloud_infrastructure": "2"})
    assert "自己申告" in client.get(f"/talent/profiles/{profile.pk}/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(f"/talent/profiles/{profile.pk}/").content.decode()
    assert "self-declared" in english
    assert "自己申告" not in english


def test_a_returning_talent_user_finds_the_sign_in_from_the_talent_bank(
    make_talent: Callable[..., TalentProfile],
) -> None:
    # Without it, the only way in was to know the staff login's address.
    client = Client()
    page = client.get("/talent/").content.decode()
    assert 'href="/staff/login/?next=/talent/"' in page
    make_talent("hanako")
    signed_in = client.post(
        "/staff/login/", {"username": "hanako", "password": PASSWORD, "next": "/talent/"}, follow=True
    )
    assert signed_in.redirect_chain[-1][0] == "/talent/"
    assert 'href="/talent/me/"' in signed_in.content.decode()
