"""Tests for chiiki.talent.standard: the shipped data, the loader and the assessment of evidence."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chiiki.talent.standard import (
    CertificationHeld,
    Endorsement,
    EvidenceTier,
    ItssAssessment,
    ProjectEvidence,
    SkillLevel,
    StandardDataError,
    assess,
    available_versions,
    load_evidence_catalog,
    load_literacy_standard,
    load_skill_standard,
)

TODAY = dt.date(2026, 4, 1)


def test_dss_p_has_the_published_shape_of_five_types_fifteen_roles_and_forty_nine_skills() -> None:
    std = load_skill_standard()
    assert (len(std.person_types), len(std.roles), len(std.skills)) == (5, 15, 49)
    assert [p.name_ja for p in std.person_types] == [
        "ビジネスアーキテクト",
        "デザイナー",
        "データサイエンティスト",
        "ソフトウェアエンジニア",
        "サイバーセキュリティ",
    ]
    assert len({s.subcategory_id for s in std.skills}) == 12
    assert len({s.category_id for s in std.skills}) == 5


def test_skill_names_are_the_standards_japanese_names() -> None:
    std = load_skill_standard()
    names = {s.name_ja for s in std.skills}
    expected_names = ("ビジネス戦略策定・実行", "検証（顧客・ユーザー視点）", "機械学習・深層学習", "適応力")
    for expected in expected_names:
        assert expected in names


def test_every_role_requires_some_skill_at_level_a() -> None:
    std = load_skill_standard()
    for role in std.roles:
        assert SkillLevel.A in role.required.values(), role.id
        assert set(role.required) == {s.id for s in std.skills}


def test_required_vector_is_aligned_with_the_skill_order() -> None:
    std = load_skill_standard()
    vector = std.required_vector("cloud_engineer_sre")
    assert vector[std.skill("cloud_infrastructure").index] == SkillLevel.A
    assert vector[std.skill("branding").index] == SkillLevel.Z


def test_the_profile_records_the_version_it_was_assessed_against() -> None:
    std = load_skill_standard("1.1")
    result = assess(std, load_evidence_catalog(), {"leadership": SkillLevel.B}, as_of=TODAY)
    assert result.standard_tag == "DSS-P 1.1"
    assert len(result.levels_vector(std)) == 49


def test_unknown_version_is_reported_in_japanese_and_english() -> None:
    assert "1.1" in available_versions("dss_p")
    with pytest.raises(StandardDataError, match=r"バージョン 9\.9"):
        load_skill_standard("9.9")


def test_level_codes_round_trip() -> None:
    for level in SkillLevel:
        assert SkillLevel.from_code(level.code) is level
    with pytest.raises(ValueError, match="不明なスキルレベル"):
        SkillLevel.from_code("e")


@given(st.text(max_size=3))
def test_level_parser_accepts_only_the_five_codes(text: str) -> None:
    if text.strip().lower() in {"a", "b", "c", "d", "z"}:
        assert SkillLevel.from_code(text).code == text.strip().lower()
    else:
        with pytest.raises(ValueError, match="unknown skill level"):
            SkillLevel.from_code(text)


def test_dss_l_covers_why_what_how_and_mindset() -> None:
    lit = load_literacy_standard()
    assert lit.tag == "DSS-L 1.1"
    assert {i.area_id for i in lit.items} == {"why", "what", "how", "mindset"}
    assert "データを読む・説明する" in {i.name_ja for i in lit.items}


def test_catalog_covers_every_ipa_exam_and_the_major_cloud_and_security_certifications() -> None:
    cat = load_evidence_catalog()
    for exam in ("IP", "SG", "FE", "AP", "ST", "SA", "PM", "NW", "DB", "ES", "SM", "AU", "SC"):
        assert f"IPA-{exam}" in cat.certifications
    for cert in ("AWS-SAA", "AZ-305", "GCP-PCA", "CISSP"):
        assert cert in cat.certifications
    assert cat.itss_levels[1] == SkillLevel.D
    assert cat.itss_levels[2] == SkillLevel.C
    assert cat.itss_levels[7] == SkillLevel.A


def test_no_exam_alone_evidences_level_a() -> None:
    for cert in load_evidence_catalog().certifications.values():
        assert SkillLevel.A not in cert.evidence.values(), cert.id


def test_a_certification_raises_a_declared_level_to_evidenced_only_up_to_its_cap() -> None:
    std, cat = load_skill_standard(), load_evidence_catalog()
    declared = {"cloud_infrastructure": SkillLevel.C, "sre_process": SkillLevel.A}
    result = assess(std, cat, declared, [CertificationHeld("AWS-DOP", dt.date(2025, 1, 10))], as_of=TODAY)
    assert result.items["cloud_infrastructure"].tier is EvidenceTier.EVIDENCED
    # AWS-DOP supports SRE only up to b; a declared a stays self-declared.
    assert result.items["sre_process"].tier is EvidenceTier.SELF_DECLARED
    assert result.items["sre_process"].supported is SkillLevel.B


def test_a_lapsed_certification_no_longer_counts() -> None:
    std, cat = load_skill_standard(), load_evidence_catalog()
    declared = {"cloud_infrastructure": SkillLevel.C}
    old = CertificationHeld("AWS-SAA", dt.date(2020, 1, 10))  # valid 3 years
    assert assess(std, cat, declared, [old], as_of=TODAY).items["cloud_infrastructure"].tier is (
        EvidenceTier.SELF_DECLARED
    )


def test_ipa_exams_do_not_lapse_but_the_registered_specialist_does() -> None:
    cat = load_evidence_catalog()
    assert cat.certification("IPA-AP").valid_on(dt.date(2001, 4, 1), TODAY)
    assert not cat.certification("IPA-SC").valid_on(dt.date(2020, 4, 1), TODAY)


def test_an_itss_assessment_supports_the_roles_skills_up_to_its_level() -> None:
    std, cat = load_skill_standard(), load_evidence_catalog()
    declared = {"backend_development": SkillLevel.A, "software_design": SkillLevel.B}
    itss3 = ItssAssessment(3, "backend_engineer", dt.date(2025, 6, 1))
    result = assess(std, cat, declared, [itss3], as_of=TODAY)
    assert result.items["backend_development"].supported is SkillLevel.B
    assert result.items["backend_development"].tier is EvidenceTier.SELF_DECLARED
    assert result.items["software_design"].tier is EvidenceTier.EVIDENCED


def test_only_endorsements_by_verified_organisations_count_as_endorsed() -> None:
    std, cat = load_skill_standard(), load_evidence_catalog()
    declared = {"leadership": SkillLevel.B, "collaboration": SkillLevel.B}
    evidence = [
        Endorsement("leadership", SkillLevel.B, "岡山県", organization_verified=True),
        Endorsement("collaboration", SkillLevel.A, "unverified co.", organization_verified=False),
    ]
    result = assess(std, cat, declared, evidence, as_of=TODAY)
    assert result.items["leadership"].tier is EvidenceTier.ENDORSED
    assert result.items["collaboration"].tier is EvidenceTier.SELF_DECLARED


def test_a_project_evidences_a_level_and_certifications_record_literacy() -> None:
    std, cat = load_skill_standard(), load_evidence_catalog()
    evidence = [
        ProjectEvidence("marketing", SkillLevel.B, "観光DX"),
        CertificationHeld("IPA-IP", dt.date(2019, 5, 1)),
    ]
    result = assess(
        std, cat, {"marketing": SkillLevel.B}, evidence, as_of=TODAY, literacy_completed=["cloud"]
    )
    assert result.items["marketing"].tier is EvidenceTier.EVIDENCED
    assert {"ai", "cloud"} <= result.literacy_attained
    assert result.literacy_tag == "DSS-L 1.1"


def test_unknown_literacy_items_are_reported() -> None:
    std, cat = load_skill_standard(), load_evidence_catalog()
    with pytest.raises(ValueError, match="unknown DSS-L items"):
        assess(std, cat, {}, as_of=TODAY, literacy_completed=["blockchain"])


def test_an_assessment_cannot_be_read_against_another_version() -> None:
    std, cat = load_skill_standard(), load_evidence_catalog()
    result = assess(std, cat, {}, as_of=TODAY)
    object.__setattr__(result, "standard_tag", "DSS-P 0.9")
    with pytest.raises(ValueError, match="another version"):
        result.levels_vector(std)


def test_unknown_skill_and_certification_are_reported() -> None:
    std, cat = load_skill_standard(), load_evidence_catalog()
    with pytest.raises(KeyError, match="スキル項目がありません"):
        assess(std, cat, {"cobol": SkillLevel.A}, as_of=TODAY)
    with pytest.raises(KeyError, match="unknown certification"):
        assess(std, cat, {}, [CertificationHeld("XYZ", TODAY)], as_of=TODAY)


def test_dss_p_structure_has_every_role_by_item_cell_with_an_allowed_level() -> None:
    std = load_skill_standard("1.1")
    assert len(std.person_types) == 5
    assert len(std.roles) == 15
    assert len(std.skills) == 49
    assert sorted(level.level.code for level in std.levels) == ["a", "b", "c", "d", "z"]
    skill_ids = [s.id for s in std.skills]
    assert len(set(skill_ids)) == 49
    type_ids = {p.id for p in std.person_types}
    for role in std.roles:
        assert role.person_type_id in type_ids
        assert list(role.required) == skill_ids, role.id
        assert {level.code for level in role.required.values()} <= {"a", "b", "c", "d", "z"}
    assert len({(r.id, s) for r in std.roles for s in r.required}) == 15 * 49
    assert {p.id for p in std.person_types} == {r.person_type_id for r in std.roles}


def test_level_wording_follows_the_cited_source_and_unverified_rows_say_so() -> None:
    std = load_skill_standard("1.1")
    labels = {level.level.code: level for level in std.levels}
    assert labels["c"].label_ja == "説明可能なレベルでの理解が必要"
    assert labels["c"].label_verified
    assert not labels["d"].label_verified
    # No transcription of the role × skill table was found: no role may claim to be verified.
    assert all(not role.matrix_verified and role.matrix_source == "" for role in std.roles)
    assert std.matrix_verified is False


def test_a_role_marked_verified_without_a_source_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # The file reader is patched where it lives: the one test that reaches into the engine's internals.
    from chiiki.talent.standard import _loader as loader

    raw = loader._read("dss_p", "1.1")
    raw["roles"][0]["matrix_verified"] = True
    raw["roles"][0]["matrix_source"] = ""
    monkeypatch.setattr(loader, "_read", lambda stem, version: raw)
    loader.load_skill_standard.cache_clear()
    try:
        with pytest.raises(StandardDataError, match="matrix_source"):
            loader.load_skill_standard("1.1")
    finally:
        monkeypatch.undo()
        loader.load_skill_standard.cache_clear()
