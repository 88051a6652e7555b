"""Fair exposure in the app: the exposure ledger rotates equally fitting profiles into the top slots of a
need's candidate list, while a clearly better candidate stays first; exact mode stays available."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client

from chiiki.core.acting import Actor
from chiiki.core.models import User
from chiiki.talent import actions, ranking
from chiiki.talent.matching import FairnessPolicy, RankingMode
from chiiki.talent.models import Exposure, Need, TalentProfile

from .test_api import API

DAY = dt.date(2026, 12, 7)  # a fixed rotation epoch: only the ledger changes between views
EQUALS = ("equal-1", "equal-2", "equal-3", "equal-4")


@pytest.fixture
def pool(make_talent: Callable[..., TalentProfile]) -> dict[str, TalentProfile]:
    """One candidate meeting every requirement, four identical ones a level short on one skill."""
    best = make_talent("best")
    actions.set_skills(
        best, {"cloud_infrastructure": 3, "backend_development": 2}, by=Actor.for_user(best.user)
    )
    out = {"best": best}
    for name in EQUALS:
        profile = make_talent(name)
        actions.set_skills(
            profile, {"cloud_infrastructure": 3, "backend_development": 1}, by=Actor.for_user(profile.user)
        )
        out[name] = profile
    return out


def test_repeated_views_rotate_equal_profiles_while_the_best_stays_first(
    pool: dict[str, TalentProfile], cloud_need: Need
) -> None:
    exact = ranking.candidates_for_need(
        cloud_need, TalentProfile.objects.all(), k=5, day=DAY, mode=RankingMode.EXACT
    )
    scores = {r.profile.display_name: r.match.score for r in exact}
    assert len({scores[name] for name in EQUALS}) == 1  # they fit equally well
    assert scores["best"] - scores["equal-1"] > FairnessPolicy().tolerance  # clearly better

    second_slot = []
    for _view in range(len(EQUALS)):
        shown = actions.show_candidates_for_need(
            cloud_need, TalentProfile.objects.all(), k=2, day=DAY, by=Actor.system("test")
        ).results
        assert shown[0].profile.display_name == "best"
        second_slot.append(shown[1].profile.display_name)
    assert sorted(second_slot) == list(EQUALS)  # each equal profile had one turn
    counts = dict(
        Exposure.objects.filter(need=cloud_need).values_list("profile__display_name", "times_shown")
    )
    assert counts == {"best": 4, **dict.fromkeys(EQUALS, 1)}


def test_exact_mode_keeps_the_same_order_whatever_was_shown(
    pool: dict[str, TalentProfile], cloud_need: Need
) -> None:
    seen = {
        actions.show_candidates_for_need(
            cloud_need,
            TalentProfile.objects.all(),
            k=2,
            day=DAY,
            mode=RankingMode.EXACT,
            by=Actor.system("test"),
        )
        .results[1]
        .profile.display_name
        for _view in range(3)
    }
    assert len(seen) == 1
    assert Exposure.objects.get(need=cloud_need, profile=pool["best"]).times_shown == 3  # still recorded


def test_exposure_fades_by_half_each_week_without_showing() -> None:
    now = dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)
    assert ranking.effective_exposure(8, now - dt.timedelta(days=6), now) == 8
    assert ranking.effective_exposure(8, now - dt.timedelta(days=7), now) == 4
    assert ranking.effective_exposure(8, now - dt.timedelta(days=21), now) == 1


def test_the_pages_and_the_api_say_which_mode_ordered_the_list(
    pool: dict[str, TalentProfile], cloud_need: Need, company_user: User, login: Callable[[User], Client]
) -> None:
    client = login(company_user)
    page = client.get(f"/talent/needs/{cloud_need.pk}/matches/").content.decode()
    assert "表示順: 公平表示" in page
    assert Exposure.objects.filter(need=cloud_need).count() == len(pool)  # every profile shown was counted
    assert (
        "表示順: 適合度の順"
        in client.get(f"/talent/needs/{cloud_need.pk}/matches/?mode=exact").content.decode()
    )
    fair = client.get(f"{API}/needs/{cloud_need.pk}/matches").json()
    assert {m["mode"] for m in fair} == {"fair"}
    exact = client.get(f"{API}/needs/{cloud_need.pk}/matches?mode=exact").json()
    assert {m["mode"] for m in exact} == {"exact"}
    assert all(m["adjusted_score"] == m["score"] for m in exact)
    assert client.get(f"{API}/needs/{cloud_need.pk}/matches?mode=loud").status_code == 400
