"""Talent bank models and actions: profiles, evidence tiers, organizations, needs, introductions, hours, export and delete."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from chiiki.core.models import AuditEvent, Municipality, User
from chiiki.talent import actions, queries, ranking
from chiiki.talent.access import can_act_for, visible_sections
from chiiki.talent.models import Evidence, Introduction, Need, Organization, TalentProfile, WorkEntry

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
    actions.set_skills(profile, {"cloud_infrastructure": 2, "machine_learning": 3}, by=profile.user)
    assert _tier(profile, "cloud_infrastructure") == 0
    actions.add_evidence(
        profile,
        kind="certification",
        certification_id="AWS-SAA",
        obtained_on=timezone.localdate(),
        by=profile.user,
    )
    assert _tier(profile, "cloud_infrastructure") == 1  # AWS-SAA supports c
    assert _tier(profile, "machine_learning") == 0  # nothing backs it


def test_an_exam_does_not_back_a_higher_declared_level(make_talent: Callable[..., TalentProfile]) -> None:
    profile = make_talent("hanako")
    actions.set_skills(profile, {"cloud_infrastructure": 4}, by=profile.user)
    actions.add_evidence(
        profile,
        kind="certification",
        certification_id="AWS-SAA",
        obtained_on=timezone.localdate(),
        by=profile.user,
    )
    skill = profile.skills.get(skill_id="cloud_infrastructure")
    assert (skill.declared, skill.supported, skill.tier) == (4, 2, 0)


def test_only_a_verified_organization_can_endorse(
    make_talent: Callable[..., TalentProfile], company: Organization, company_user: User
) -> None:
    profile = make_talent("hanako")
    actions.set_skills(profile, {"cloud_infrastructure": 3}, by=profile.user)
    actions.endorse(profile, company, skill_id="cloud_infrastructure", level=3, by=company_user)
    assert _tier(profile, "cloud_infrastructure") == 2
    company.verified = False
    company.save()
    with pytest.raises(actions.TalentActionError, match="確認済み"):
        actions.endorse(profile, company, skill_id="cloud_infrastructure", level=3, by=company_user)


def test_a_stranger_cannot_endorse_for_an_organization(
    make_talent: Callable[..., TalentProfile], company: Organization
) -> None:
    profile = make_talent("hanako")
    stranger = make_talent("stranger").user
    with pytest.raises(actions.TalentActionError, match="権限"):
        actions.endorse(profile, company, skill_id="cloud_infrastructure", level=3, by=stranger)


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
            by=company_user,
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
            by=company_user,
        )


def test_municipality_organization_acts_through_staff_roles(
    town_a: Municipality, town_b: Municipality, admin_a: User
) -> None:
    org_a = actions.municipality_organization(town_a)
    org_b = actions.municipality_organization(town_b)
    assert org_a.verified
    assert org_a.prefecture == 34
    assert can_act_for(admin_a, org_a)
    assert not can_act_for(admin_a, org_b)
    assert actions.municipality_organization(town_a).pk == org_a.pk


def test_verification_is_by_the_organizations_own_prefecture(
    town_a: Municipality, town_b: Municipality, company_user: User, admin_a: User
) -> None:
    org = actions.register_organization(
        kind="startup", name="株式会社ひろしまAI", corporate_number=corporate_number("034000000777"), prefecture=35,
        by=company_user,
    )  # fmt: skip
    with pytest.raises(actions.TalentActionError, match="都道府県"):
        actions.verify_organization(org, town_a, by=admin_a)
    actions.verify_organization(org, town_b, by=admin_a)
    org.refresh_from_db()
    assert org.verified


def test_mentoring_need_requires_field_and_stage(company: Organization, company_user: User) -> None:
    with pytest.raises(actions.TalentActionError, match="分野とステージ"):
        actions.post_need(
            company,
            {"kind": Need.Kind.MENTORING, "title": "相談", "hours_per_month": 4, "work_mode": 0,
             "prefecture": 34, "start_on": dt.date(2026, 12, 1)},
            by=company_user,
        )  # fmt: skip


def test_need_with_unknown_skill_is_refused(company: Organization, company_user: User) -> None:
    with pytest.raises(actions.TalentActionError):
        actions.post_need(
            company,
            {"kind": 0, "title": "x", "required": {"no_such_skill": "b"}, "hours_per_month": 4, "work_mode": 0,
             "prefecture": 34, "start_on": dt.date(2026, 12, 1)},
            by=company_user,
        )  # fmt: skip


def test_contact_details_only_after_both_sides_accept(
    make_talent: Callable[..., TalentProfile], company: Organization, company_user: User, cloud_need: Need
) -> None:
    profile = make_talent("hanako")
    intro = actions.request_introduction(
        profile, company, side="organization", need=cloud_need, by=company_user
    )
    assert not intro.accepted
    with pytest.raises(actions.TalentActionError, match="双方"):
        actions.contact_details(intro, by=company_user)
    actions.respond_introduction(intro, accept=True, by=profile.user)
    assert intro.accepted
    details = actions.contact_details(intro, by=company_user)
    assert details["email"] == "hanako@example.jp"
    assert actions.contact_details(intro, by=profile.user)["email"] == "jinji@shimanami.example.jp"
    assert AuditEvent.objects.filter(action="talent.contact_shown").count() == 2


def test_a_declined_introduction_never_shows_contact(
    make_talent: Callable[..., TalentProfile], company: Organization, company_user: User
) -> None:
    profile = make_talent("hanako")
    intro = actions.request_introduction(profile, company, side="talent", by=profile.user)
    actions.respond_introduction(intro, accept=False, by=company_user)
    assert intro.declined_by == Introduction.Side.ORGANIZATION
    with pytest.raises(actions.TalentActionError):
        actions.respond_introduction(intro, accept=True, by=company_user)
    with pytest.raises(actions.TalentActionError):
        actions.contact_details(intro, by=profile.user)


def test_a_third_party_cannot_answer_an_introduction(
    make_talent: Callable[..., TalentProfile], company: Organization, company_user: User
) -> None:
    profile = make_talent("hanako")
    intro = actions.request_introduction(profile, company, side="organization", by=company_user)
    with pytest.raises(actions.TalentActionError, match="権限"):
        actions.respond_introduction(intro, accept=True, by=make_talent("other").user)


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
    actions.set_skills(strong, {"cloud_infrastructure": 4, "backend_development": 3}, by=strong.user)
    weak = make_talent("weak")
    actions.set_skills(weak, {"cloud_infrastructure": 1}, by=weak.user)
    expensive = make_talent("expensive", fee_min_per_hour=9000)
    actions.set_skills(expensive, {"cloud_infrastructure": 4, "backend_development": 3}, by=expensive.user)
    results = ranking.candidates_for_need(cloud_need, TalentProfile.objects.all())
    assert [r.profile.display_name for r in results] == ["strong", "weak"]  # over budget is filtered
    explanation = results[0].match.explanation
    assert explanation is not None
    assert not explanation.skills_short
    assert "クラウド" in explanation.summary_ja()


def test_needs_for_a_person_are_ranked(make_talent: Callable[..., TalentProfile], cloud_need: Need) -> None:
    profile = make_talent("hanako")
    actions.set_skills(profile, {"cloud_infrastructure": 3}, by=profile.user)
    results = ranking.needs_for_profile(profile)
    assert [r.need.pk for r in results] == [cloud_need.pk]
    actions.close_need(cloud_need, by=None)
    assert ranking.needs_for_profile(profile) == []


def test_hours_across_employers_warn_worker_and_employer(
    make_talent: Callable[..., TalentProfile], company: Organization, company_user: User
) -> None:
    worker = make_talent("hanako")
    intro = actions.request_introduction(worker, company, side="talent", by=worker.user)
    actions.respond_introduction(intro, accept=True, by=company_user)
    main = actions.create_contract(
        worker,
        by=worker.user,
        kind="employment",
        concluded_on=dt.date(2020, 4, 1),
        employer_name="本業株式会社",
    )
    side = actions.create_contract(
        worker, by=company_user, kind="employment", concluded_on=dt.date(2026, 1, 5), organization=company,
        agreement={"monthly_limit_hours": 30},
    )  # fmt: skip
    # April 2026: 10 h/day Mon–Fri at the main job (2 h/day overtime), Saturday 8 h at the side job.
    days = [dt.date(2026, 4, d) for d in range(1, 31)]
    actions.record_hours(main, [(d, 600, True, dt.time(9)) for d in days if d.weekday() < 5], by=worker.user)
    actions.record_hours(
        side, [(d, 480, True, dt.time(9)) for d in days if d.weekday() == 5], by=company_user
    )
    status = queries.hours_status(worker)
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
    intro = actions.request_introduction(worker, company, side="organization", by=company_user)
    with pytest.raises(actions.TalentActionError, match="紹介が成立"):
        actions.create_contract(worker, by=company_user, kind="employment", concluded_on=dt.date(2026, 1, 5),
                                organization=company)  # fmt: skip
    actions.respond_introduction(intro, accept=True, by=worker.user)
    contract = actions.create_contract(
        worker, by=company_user, kind="employment", concluded_on=dt.date(2026, 1, 5), organization=company
    )
    with pytest.raises(actions.TalentActionError, match="権限"):
        actions.record_hours(contract, [(dt.date(2026, 2, 2), 60, True, dt.time(9))], by=worker.user)


def test_export_contains_everything_and_is_audited(
    make_talent: Callable[..., TalentProfile], company: Organization, company_user: User
) -> None:
    profile = make_talent("hanako")
    actions.set_skills(profile, {"cloud_infrastructure": 3}, by=profile.user)
    actions.endorse(profile, company, skill_id="cloud_infrastructure", level=3, by=company_user)
    data = actions.export_profile(profile, by=profile.user)
    assert data["profile"]["display_name"] == "hanako"
    assert data["skills"] == [{"skill_id": "cloud_infrastructure", "declared": "b", "supported": "b",
                               "tier": "推薦あり"}]  # fmt: skip
    assert data["evidence"][0]["organization"] == company.name
    assert AuditEvent.objects.filter(action="talent.profile_exported").exists()


def test_delete_removes_the_data_and_closes_the_account(
    make_talent: Callable[..., TalentProfile], company: Organization, company_user: User
) -> None:
    profile = make_talent("hanako")
    actions.set_skills(profile, {"cloud_infrastructure": 3}, by=profile.user)
    intro = actions.request_introduction(profile, company, side="talent", by=profile.user)
    actions.respond_introduction(intro, accept=True, by=company_user)
    contract = actions.create_contract(
        profile, by=company_user, kind="employment", concluded_on=dt.date(2026, 1, 5), organization=company
    )
    actions.record_hours(contract, [(dt.date(2026, 2, 2), 60, True, dt.time(9))], by=company_user)
    user, profile_id = profile.user, profile.pk
    actions.delete_profile(profile, by=user)
    user.refresh_from_db()
    assert not TalentProfile.objects.filter(pk=profile_id).exists()
    assert not WorkEntry.objects.exists()
    assert not Introduction.objects.exists()
    assert not user.is_active
    assert user.username == f"deleted-{user.pk}"
    assert not user.has_usable_password()
    assert AuditEvent.objects.filter(action="talent.profile_deleted", object_id=str(profile_id)).exists()
