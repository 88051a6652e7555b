"""The skill standard as data an operator loads (issue 22): the CSV layout, refusals naming the line, installing
with a diff, the shipped v2.0 alongside v1.1, the "not verified" warning, and profiles and needs carried from one
version to the next by a mapping file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent
from chiiki.talent import actions, ranking, skills
from chiiki.talent.actions import TalentActionError
from chiiki.talent.models import Need, Organization, SkillStandardVersion, TalentProfile
from chiiki.talent.standard import (
    DefinitionError,
    VersionMapping,
    build_skill_standard,
    load_skill_standard,
    read_definition_csv,
    read_mapping_csv,
    shipped_definition,
)

HEADER = "section,id,parent,name_ja,name_en,value,source\n"
META = (
    "meta,standard,,,,TEST,\n"
    "meta,version,,,,3.0,\n"
    "meta,published,,,,2027-04-01,\n"
    "meta,title_ja,,,,試験用の標準,\n"
    "meta,source_document,,,,試験用,\n"
)
PARTS = (
    "person_type,eng,,エンジニア,Engineer,,\n"
    "category,1,,技術,Technology,,\n"
    "subcategory,1.1,1,開発,Development,,\n"
    "skill,s1,1.1,設計,Design,,\n"
    "skill,s2,1.1,実装,Implementation,,\n"
    "role,dev,eng,開発者,Developer,no,\n"
)


def definition(rows: str) -> bytes:
    return (HEADER + META + PARTS + rows).encode("utf-8")


def test_a_definition_in_the_csv_layout_reads_and_builds() -> None:
    raw = read_definition_csv(definition("requirement,s1,dev,,,a,\nrequirement,s2,dev,,,c,\n"))
    standard = build_skill_standard(raw)
    assert standard.tag == "TEST 3.0"
    assert [s.id for s in standard.skills] == ["s1", "s2"]
    assert standard.role("dev").required["s1"].code == "a"
    assert not standard.matrix_verified


def test_the_same_layout_reads_from_shift_jis() -> None:
    text = HEADER + META + PARTS + "requirement,s1,dev,,,b,\n"
    assert read_definition_csv(text.encode("cp932"))["roles"][0]["required"] == {"b": ["s1"]}


@pytest.mark.parametrize(
    ("rows", "line", "says"),
    [
        ("requirement,s9,dev,,,a,\n", 13, "s9"),  # a role naming an unknown skill
        ("requirement,s1,dev,,,e,\n", 13, "a, b, c, d, z"),  # a level outside a/b/c/d/z
        ("skill,s1,1.1,設計(2),Design,,\n", 13, "10 行目"),  # a duplicate item, naming the first line too
        ("requirement,s1,nobody,,,a,\n", 13, "nobody"),  # an unknown role
        ("skill,s3,9.9,何か,,,\n", 13, "9.9"),  # an unknown subcategory
        ("colour,s3,,,,,\n", 13, "colour"),  # an unknown section
        ("role,lead,eng,リーダー,Lead,yes,\n", 13, "source"),  # verified without saying against what
    ],
)
def test_a_malformed_definition_is_refused_naming_the_line(rows: str, line: int, says: str) -> None:
    with pytest.raises(DefinitionError) as refused:
        read_definition_csv(definition(rows))
    assert refused.value.line == line
    assert f"{line} 行目" in str(refused.value)
    assert says in str(refused.value)


def test_missing_meta_and_a_date_that_is_no_date_are_refused() -> None:
    with pytest.raises(DefinitionError, match="source_document"):
        read_definition_csv((HEADER + META.replace("meta,source_document,,,,試験用,\n", "") + PARTS).encode())
    with pytest.raises(DefinitionError, match="4 行目"):
        read_definition_csv((HEADER + META.replace("2027-04-01", "令和9年") + PARTS).encode())


def test_both_shipped_versions_load() -> None:
    old = load_skill_standard("1.1")
    new = build_skill_standard(shipped_definition("2.0"))
    assert (len(old.person_types), len(old.roles), len(old.skills)) == (5, 15, 49)
    assert len(new.skills) == 67
    assert len({s.category_id for s in new.skills}) == 5
    assert len({s.subcategory_id for s in new.skills}) == 13
    assert new.roles == ()
    assert not new.matrix_verified  # no role table: never "verified"
    assert load_skill_standard().tag == "DSS-P 1.1"  # the default until an operator installs another


@pytest.mark.django_db
def test_loading_shows_the_differences_then_installs_and_reloading_changes_nothing(tmp_path: Path) -> None:
    out = StringIO()
    call_command("talent_standard", "load", "--shipped", "2.0", "--dry-run", stdout=out)
    assert "DSS-P 1.1 → DSS-P 2.0" in out.getvalue()
    assert "+ スキル項目 1.1.1 ビジネス環境と経営戦略の理解" in out.getvalue()
    assert not SkillStandardVersion.objects.exists()
    call_command("talent_standard", "load", "--shipped", "2.0", stdout=StringIO())
    assert skills.current_standard().tag == "DSS-P 2.0"
    again = StringIO()
    call_command("talent_standard", "load", "--shipped", "2.0", stdout=again)
    assert "変更なし" in again.getvalue()
    assert SkillStandardVersion.objects.get().revision == 1
    assert AuditEvent.objects.filter(action="talent.standard_installed").count() == 1


@pytest.mark.django_db
def test_a_malformed_file_installs_nothing(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(definition("requirement,s1,dev,,,x,\n"))
    with pytest.raises(CommandError, match="13 行目"):
        call_command("talent_standard", "load", str(path), stdout=StringIO())
    assert not SkillStandardVersion.objects.exists()


@pytest.mark.django_db
def test_loading_the_official_table_removes_the_warning(
    make_talent: Callable[..., TalentProfile], tmp_path: Path
) -> None:
    unverified = definition("requirement,s1,dev,,,a,\n")
    path = tmp_path / "v3.csv"
    path.write_bytes(unverified)
    profile = make_talent("tanaka")  # assessed under the default version, 1.1
    call_command("talent_standard", "load", str(path), stdout=StringIO())
    owner = Client()
    owner.force_login(profile.user)
    page = owner.get(f"/talent/profiles/{profile.pk}/").content.decode()
    assert "DSS-P 1.1 のロールごとの重要度は、公式の表でまだ確認されていません" in page
    assert "いま使っている版は TEST 3.0 です" in page
    assert Client().get("/api/v1/talent/standard").json()["matrix_verified"] is False
    path.write_bytes(
        unverified.replace(
            b"role,dev,eng,\xe9\x96\x8b\xe7\x99\xba\xe8\x80\x85,Developer,no,",
            "role,dev,eng,開発者,Developer,yes,IPA 公式PDF 12ページ".encode(),
        )
    )
    out = StringIO()
    call_command("talent_standard", "load", str(path), stdout=out)
    assert "確認済み False → True" in out.getvalue()
    body = Client().get("/api/v1/talent/standard").json()
    assert body == {**body, "tag": "TEST 3.0", "matrix_verified": True, "notice": ""}
    assert SkillStandardVersion.objects.get(tag="TEST 3.0").revision == 2
    roles = Client().get("/api/v1/talent/standard/roles").json()
    assert roles == [{"id": "dev", "name_ja": "開発者", "required": {"s1": "a"}, "matrix_verified": True}]


def _mapping(rows: str) -> bytes:
    return ("kind,from,to\n" + rows).encode()


@pytest.mark.django_db
def test_a_mapping_names_the_line_of_an_unknown_or_repeated_id() -> None:
    old, new = load_skill_standard("1.1"), build_skill_standard(shipped_definition("2.0"))
    with pytest.raises(DefinitionError, match=r"2 行目.*nothing"):
        read_mapping_csv(_mapping("skill,nothing,1.1.1\n"), old, new)
    with pytest.raises(DefinitionError, match="3 行目"):
        read_mapping_csv(_mapping("skill,business_strategy,1.1.2\nskill,business_strategy,1.1.1\n"), old, new)
    with pytest.raises(DefinitionError, match=r"2 行目.*9\.9\.9"):
        read_mapping_csv(_mapping("skill,business_strategy,9.9.9\n"), old, new)


@pytest.mark.django_db
def test_profiles_and_needs_survive_a_version_change_through_the_mapping(
    make_talent: Callable[..., TalentProfile], company: Organization, company_user: Any, tmp_path: Path
) -> None:
    profile = make_talent("sato")
    actions.set_skills(
        profile,
        {"business_strategy": 3, "cloud_infrastructure": 4, "backend_development": 2},
        by=Actor.system("t"),
    )
    need = actions.post_need(
        company,
        {
            "kind": Need.Kind.SIDE_JOB,
            "title": "戦略づくりの副業",
            "required": {"business_strategy": "b", "backend_development": "c"},
            "hours_per_month": 20,
            "work_mode": Need.WorkMode.REMOTE,
            "prefecture": 34,
            "budget_per_hour": 5000,
            "start_on": dt.date(2026, 12, 1),
            "languages": ["ja"],
        },
        by=Actor.for_user(company_user),
    )
    assert (profile.standard_tag, need.standard_tag) == ("DSS-P 1.1", "DSS-P 1.1")
    call_command("talent_standard", "load", "--shipped", "2.0", stdout=StringIO())
    # Until carried over, the 1.1 profile is not compared with 2.0 needs, and its page says which version it uses.
    profile.refresh_from_db()
    assert profile.standard_tag == "DSS-P 1.1"
    mapping = tmp_path / "1.1-to-2.0.csv"
    mapping.write_text(
        "kind,from,to\nskill,business_strategy,1.1.2\nskill,backend_development,3.1.1\n", encoding="utf-8"
    )
    out = StringIO()
    call_command("talent_standard", "carry-over", str(mapping), "--from", "DSS-P 1.1", stdout=out)
    assert "プロフィール 1 件、ニーズ 1 件" in out.getvalue()
    assert "cloud_infrastructure: 1 件" in out.getvalue()  # not in the mapping: dropped and counted
    profile.refresh_from_db()
    need.refresh_from_db()
    assert profile.standard_tag == need.standard_tag == "DSS-P 2.0"
    assert {row.skill_id: row.declared for row in profile.skills.all()} == {"1.1.2": 3, "3.1.1": 2}
    assert need.required == {"1.1.2": "b", "3.1.1": "c"}
    page = ranking.candidate_page(need, TalentProfile.objects.all(), k=5)
    assert [match.profile.pk for match in page.results] == [profile.pk]


@pytest.mark.django_db
def test_carrying_over_to_a_version_not_in_use_is_refused() -> None:
    call_command("talent_standard", "load", "--shipped", "2.0", "--keep-current", stdout=StringIO())
    assert skills.current_standard().tag == "DSS-P 1.1"
    mapping = VersionMapping("DSS-P 1.1", "DSS-P 2.0", {}, {})
    with pytest.raises(TalentActionError, match="使用中"):
        actions.carry_over(mapping, by=Actor.system("t"))
