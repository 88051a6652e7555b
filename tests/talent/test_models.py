"""Talent bank models and actions: profiles, evidence tiers, organizations, needs, introductions, hours, export and delete."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality, User
from chiiki.talent import actions, ranking
from chiiki.talent.access import can_act_for, visible_sections
from chiiki.talent.models import Evidence, Introduction, Need, Organization, TalentProfile

from .conftest import PASSWORD, corporate_number


def _tier(profile: TalentProfile, skill_id: str) -> int:
    return profile.skills.get(skill_id=skill_id).tier


def test_a_talent_account_has_no_municipal_role(make_talent: Callable[..., TalentProfile]) -> None:
    profile = make_talent("hanako")
    assert profile.user.memberships.count() == 0
    assert profile.standard_tag == "DSS-P 1.1"
    assert AuditEvent.objects.filter(action="talent.profile_created", object_id=str(profile.pk)).exists()


def test_a_profile_must_register_in_at_least_one_capacity(db: None) -> None:
    user = User.objects.create_user("nobody", password=PASSWORD)
    with pytest.raises(IntegrityError), transaction.atomic():
        TalentProfile.objects.create(user=user, display_name="x", home_prefecture=34)


def test_several_capacities_at_once(make_talent: Callable[..., TalentProfile]) -> None:
    profile = make_talent("taro", is_mentor=True, is_management=True)
    assert profile.kinds_ja() == [
        "デジタル人材",
        "メンター・ロールモデル",
        "経営人材",
        "副業・兼業プロフェッショナル",
    ]


def test_a_certification_raises_self_declared_to_evidenced(make_talent: Callable[..., TalentProfile]) -> None:
    profile = make_talent("hanako")
    actions.set_skills(
        profile, {"cloud_infrastructure": 2, "machine_learning": 3}, by=Actor.for_user(profile.user)
    )
    assert _tier(profile, "cloud_infrastructure") == 0
    actions.add_evidence(
        profile,
        kind="certification",
        certification_id="AWS-SAA",
        obtained_on=timezone.localdate(),
        by=Actor.for_user(profile.user),
    )
    assert _tier(profile, "cloud_infrastructure") == 1  # AWS-SAA supports c
    assert _tier(profile, "machine_learning") == 0  # nothing backs it


def test_an_exam_does_not_back_a_higher_declared_level(make_talent: Callable[..., TalentProfile]) -> None:
    profile = make_talent("hanako")
    actions.set_skills(profile, {"cloud_infrastructure": 4}, by=Actor.for_user(profile.user))
    actions.add_evidence(
        profile,
        kind="certification",
        certification_id="AWS-SAA",
        obtained_on=timezone.localdate(),
        by=Actor.for_user(profile.user),
    )
    skill = profile.skills.get(skill_id="cloud_infrastructure")
    assert (skill.declared, skill.supported, skill.tier) == (4, 2, 0)


def test_only_a_verified_organization_can_endorse(
    make_talent: Callable[..., TalentProfile], company: Organization, company_user: User
) -> None:
    profile = make_talent("hanako")
    actions.set_skills(profile, {"cloud_infrastructure": 3}, by=Actor.for_user(profile.user))
    actions.endorse(
        profile, company, skill_id="cloud_infrastructure", level=3, by=Actor.for_user(company_user)
    )
    assert _tier(profile, "cloud_infrastructure") == 2
    company.verified = False
    company.save()
    with pytest.raises(actions.TalentActionError, match="確認済み"):
        actions.endorse(
            profile, company, skill_id="cloud_infrastructure", level=3, by=Actor.for_user(company_user)
        )


def test_a_stranger_cannot_endorse_for_an_organization(
    make_talent: Callable[..., TalentProfile], company: Organization
) -> None:
    profile = make_talent("hanako")
    stranger = make_talent("stranger").user
    with pytest.raises(actions.TalentActionError, match="権限"):
        actions.endorse(
            profile, company, skill_id="cloud_infrastructure", level=3, by=Actor.for_user(stranger)
        )


def test_evidence_rows_must_carry_the_fields_of_their_kind(make_talent: Callable[..., TalentProfile]) -> None:
    profile = make_talent("hanako")
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(profile=profile, kind="certification")  # no certification, no date


def test_company_needs_a_valid_corporate_number(company_user: User) -> None:
    with pytest.raises(actions.TalentActionError, match="検査用数字"):
        actions.register_organization(
            kind="company",
            name="誤り株式会社",
            corporate_number="1000000000001",
            prefecture=34,
            by=Actor.for_user(company_user),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.create(kind="company", name="番号なし", prefecture=34)


def test_a_corporate_number_is_registered_once(company: Organization, company_user: User) -> None:
    with pytest.raises(actions.TalentActionError, match="すでに登録"):
        actions.register_organization(
            kind="startup",
            name="重複",
            corporate_number=company.corporate_number,
            prefecture=34,
            by=Actor.for_user(company_user),
        )


def test_municipality_organization_acts_through_staff_roles(
    town_a: Municipality, town_b: Municipality, admin_a: User
) -> None:
    org_a = actions.municipality_organization(town_a, by=Actor.system("test"))
    org_b = actions.municipality_organization(town_b, by=Actor.system("test"))
    assert org_a.verified
    assert org_a.prefecture == 34
    assert can_act_for(admin_a, org_a)
    assert not can_act_for(admin_a, org_b)
    assert actions.municipality_organization(town_a, by=Actor.system("test")).pk == org_a.pk


def test_verification_is_by_the_organizations_own_prefecture(
    town_a: Municipality, town_b: Municipality, company_user: User, admin_a: User
) -> None:
    org = actions.register_organization(
        kind="startup", name="株式会社ひろしまAI", corporate_number=corporate_number("034000000777"), prefecture=35,
        by=Actor.for_user(company_user),
    )  # fmt: skip
    with pytest.raises(actions.TalentActionError, match="都道府県"):
        actions.verify_organization(org, town_a, by=Actor.for_user(admin_a))
    actions.verify_organization(org, town_b, by=Actor.for_user(admin_a))
    org.refresh_from_db()
    assert org.verified


def test_mentoring_need_requires_field_and_stage(company: Organization, company_user: User) -> None:
    with pytest.raises(actions.TalentActionError, match="分野とステージ"):
        actions.post_need(
            company,
            {"kind": Need.Kind.MENTORING, "title": "相談", "hours_per_month": 4, "work_mode": 0,
             "prefecture": 34, "start_on": dt.date(2026, 12, 1)},
            by=Actor.for_user(company_user),
        )  # fmt: skip


def test_need_with_unknown_skill_is_refused(company: Organization, company_user: User) -> None:
    with pytest.raises(actions.TalentActionError):
        actions.post_need(
            company,
            {"kind": 0, "title": "x", "required": {"no_such_skill": "b"}, "hours_per_month": 4, "work_mode": 0,
             "prefecture": 34, "start_on": dt.date(2026, 12, 1)},
            by=Actor.for_user(company_user),
        )  # fmt: skip


def test_contact_details_only_after_both_sides_accept(
    make_talent: Callable[..., TalentProfile], company: Organization, company_user: User, cloud_need: Need
) -> None:
    profile = make_talent("hanako")
    intro = actions.request_introduction(
        profile, company, side="organization", need=cloud_need, by=Actor.for_user(company_user)
    )
    assert not intro.accepted
    with pytest.raises(actions.TalentActionError, match="双方"):
        actions.contact_details(intro, by=Actor.for_user(company_user))
    actions.respond_introduction(intro, accept=True, by=Actor.for_user(profile.user))
    assert intro.accepted
    details = actions.contact_details(intro, by=Actor.for_user(company_user))
    assert details["email"] == "hanako@example.jp"
    assert (
        actions.contact_details(intro, by=Actor.for_user(profile.user))["email"]
        == "jinji@shimanami.example.jp"
    )
    assert AuditEvent.objects.filter(action="talent.contact_shown").count() == 2


def test_a_declined_introduction_never_shows_contact(
    make_talent: Callable[..., TalentProfile], company: Organization, company_user: User
) -> None:
    profile = make_talent("hanako")
    intro = actions.request_introduction(profile, company, side="talent", by=Actor.for_user(profile.user))
    actions.respond_introduction(intro, accept=False, by=Actor.for_user(company_user))
    assert intro.declined_by == Introduction.Side.ORGANIZATION
    with pytest.raises(actions.TalentActionError):
        actions.respond_introduction(intro, accept=True, by=Actor.for_user(company_user))
    with pytest.raises(actions.TalentActionError):
        actions.contact_details(intro, by=Actor.for_user(profile.user))


def test_a_third_party_cannot_answer_an_introduction(
    make_talent: Callable[..., TalentProfile], company: Organization, company_user: User
) -> None:
    profile = make_talent("hanako")
    intro = actions.request_introduction(
        profile, company, side="organization", by=Actor.for_user(company_user)
    )
    with pytest.raises(actions.TalentActionError, match="権限"):
        actions.respond_introduction(intro, accept=True, by=Actor.for_user(make_talent("other").user))


def test_visibility_sections_per_viewer(
    make_talent: Callable[..., TalentProfile], company_user: User, company: Organization
) -> None:
    profile = make_talent("hanako", visibility_profile="public", visibility_fees="private")
    stranger = make_talent("stranger").user
    assert visible_sections(profile, profile.user) == {"profile", "skills", "availability", "fees"}
    assert visible_sections(profile, company_user) == {"profile", "skills", "availability"}
    assert visible_sections(profile, stranger) == {"profile"}
    hidden = make_talent("hidden", visibility_profile="private")
    assert visible_sections(hidden, company_user) == set()


def test_candidates_for_a_need_are_ranked_with_explanations(
    make_talent: Callable[..., TalentProfile], cloud_need: Need, company_user: User
) -> None:
    strong = make_talent("strong")
    actions.set_skills(
        strong, {"cloud_infrastructure": 4, "backend_development": 3}, by=Actor.for_user(strong.user)
    )
    weak = make_talent("weak")
    actions.set_skills(weak, {"cloud_infrastructure": 1}, by=Actor.for_user(weak.user))
    expensive = make_talent("expensive", fee_min_per_hour=9000)
    actions.set_skills(
        expensive, {"cloud_infrastructure": 4, "backend_development": 3}, by=Actor.for_user(expensive.user)
    )
    results = ranking.candidates_for_need(cloud_need, TalentProfile.objects.all())
    assert [r.profile.display_name for r in results] == ["strong", "weak"]  # over budget is filtered
    explanation = results[0].match.explanation
    assert explanation is not None
    assert not explanation.skills_short
    assert "クラウド" in explanation.summary_ja()


def test_needs_for_a_person_are_ranked(make_talent: Callable[..., TalentProfile], cloud_need: Need) -> None:
    profile = make_talent("hanako")
    actions.set_skills(profile, {"cloud_infrastructure": 3}, by=Actor.for_user(profile.user))
    results = ranking.needs_for_profile(profile)
    assert [r.need.pk for r in results] == [cloud_need.pk]
    actions.close_need(cloud_need, by=Actor.system("test"))
    assert ranking.needs_for_profile(profile) == []


def test_export_contains_everything_and_is_audited(
    make_talent: Callable[..., TalentProfile], company: Organization, company_user: User
) -> None:
    profile = make_talent("hanako")
    actions.set_skills(profile, {"cloud_infrastructure": 3}, by=Actor.for_user(profile.user))
    actions.endorse(
        profile, company, skill_id="cloud_infrastructure", level=3, by=Actor.for_user(company_user)
    )
    data = actions.export_profile(profile, by=Actor.for_user(profile.user))
    assert data["profile"]["display_name"] == "hanako"
    assert data["skills"] == [{"skill_id": "cloud_infrastructure", "declared": "b", "supported": "b",
                               "tier": "推薦あり"}]  # fmt: skip
    assert data["evidence"][0]["organization"] == company.name
    assert AuditEvent.objects.filter(action="talent.profile_exported").exists()
