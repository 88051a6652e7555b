"""The Chugoku demo talent bank (chiiki.demo.talent): populated, deterministic, consistent with the engines, loaded once."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from chiiki.core.models import Municipality
from chiiki.demo.talent import load_talent_demo
from chiiki.sidejob import queries as sidejob_queries
from chiiki.sidejob.hours import DEFAULT_REGIMES
from chiiki.sidejob.models import ManagementAgreement
from chiiki.talent import queries, ranking
from chiiki.talent.access import listable_profiles
from chiiki.talent.corporate_number import validate
from chiiki.talent.models import Need, Organization, TalentProfile, TalentSkill


def _anonymous() -> AnonymousUser:
    return AnonymousUser()


def _town(db: None) -> Municipality:
    return Municipality.objects.create(
        code="349992",
        prefecture_code="34",
        prefecture="広島県",
        name="緑川市",
        name_kana="ミドリカワシ",
        kind="city",
    )


def test_demo_talent_bank_covers_the_five_chugoku_prefectures(db: None) -> None:
    summary = load_talent_demo(_town(db), profiles=200, needs=40)
    assert summary.profiles == 200
    assert summary.needs == 40
    assert set(Need.objects.values_list("prefecture", flat=True)) == {31, 32, 33, 34, 35}
    for org in Organization.objects.exclude(kind="municipality"):
        assert validate(org.corporate_number) == org.corporate_number
    assert TalentSkill.objects.filter(tier__gt=0).exists()  # some skills are backed by evidence
    data = queries.dashboard(5)
    assert sum(r.supply_total for r in data.rows) > 100
    assert sum(r.matches for r in data.rows) > 0
    hours = sidejob_queries.regional_hours(queries.prefectures_of_region(5), as_of=timezone.localdate())
    assert hours.by_month


def test_demo_needs_have_candidates(db: None) -> None:
    load_talent_demo(_town(db), profiles=200, needs=20)
    need = Need.objects.filter(kind=Need.Kind.SIDE_JOB, work_mode=Need.WorkMode.REMOTE).first()
    assert need is not None
    results = ranking.candidates_for_need(need, TalentProfile.objects.exclude(visibility_profile="private"))
    assert len(results) == 20
    assert all(r.match.explanation is not None for r in results)
    assert not listable_profiles(_anonymous()).filter(visibility_profile="private").exists()


def test_demo_is_deterministic_and_loaded_once(db: None) -> None:
    town = _town(db)
    load_talent_demo(town, profiles=50, needs=10)
    first = list(
        TalentProfile.objects.order_by("id").values_list("display_name", "home_prefecture", "primary_role")
    )
    assert load_talent_demo(town, profiles=50, needs=10).already_loaded
    assert TalentProfile.objects.count() == 50
    TalentProfile.objects.all().delete()
    Need.objects.all().delete()
    Organization.objects.all().delete()
    from chiiki.core.models import User

    User.objects.filter(username__startswith="demo-").delete()
    load_talent_demo(town, profiles=50, needs=10)
    again = list(
        TalentProfile.objects.order_by("id").values_list("display_name", "home_prefecture", "primary_role")
    )
    assert again == first


def test_demo_management_models_are_valid_and_in_force(db: None) -> None:
    load_talent_demo(_town(db), profiles=200, needs=40)
    agreements = list(ManagementAgreement.objects.select_related("first_contract", "second_contract"))
    assert len(agreements) == 2
    for agreement in agreements:
        assert agreement.in_force
        assert agreement.first_contract.concluded_on < agreement.second_contract.concluded_on
        assert (
            sidejob_queries.engine_model(agreement).problems(DEFAULT_REGIMES.for_date(agreement.starts_on))
            == []
        )
        side = sidejob_queries.model_side(agreement, "second")
        assert any(month.actual_hours > 0 for month in side.months)
