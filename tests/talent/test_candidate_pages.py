"""A need's candidate list goes on page after page and says how many candidates there are (issue 22): a new
profile that fits less well than the first twenty used never to be shown to the organization at all."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from chiiki.core.acting import Actor
from chiiki.core.models import User
from chiiki.talent import actions
from chiiki.talent.models import Exposure, Need, TalentProfile

from .test_api import API


def _twenty_strong_and_a_newcomer(make_talent: Callable[..., TalentProfile]) -> TalentProfile:
    for i in range(20):
        strong = make_talent(f"strong-{i:02d}")
        actions.set_skills(
            strong, {"cloud_infrastructure": 3, "backend_development": 3}, by=Actor.for_user(strong.user)
        )
    newcomer = make_talent("newcomer")  # registers last and fits less well than all of them
    actions.set_skills(newcomer, {"cloud_infrastructure": 2}, by=Actor.for_user(newcomer.user))
    return newcomer


def test_a_profile_below_the_first_twenty_is_on_the_next_page_and_the_total_is_said(
    make_talent: Callable[..., TalentProfile], cloud_need: Need, company_user: User,
    login: Callable[[User], Client],
) -> None:  # fmt: skip
    newcomer = _twenty_strong_and_a_newcomer(make_talent)
    client = login(company_user)
    url = f"/talent/needs/{cloud_need.pk}/matches/"
    first = client.get(url).content.decode()
    assert "条件を満たす候補者: 21 人" in first
    assert "(1〜20 人目を表示)" in first
    assert "newcomer" not in first
    assert "?page=2" in first  # the way to see more
    second = client.get(f"{url}?page=2").content.decode()
    assert "newcomer" in second
    assert '<ol start="21">' in second
    assert "(21〜21 人目を表示)" in second
    # Only the profiles on the page shown count as shown in the fair-exposure ledger.
    assert Exposure.objects.get(need=cloud_need, profile=newcomer).times_shown == 1
    assert Exposure.objects.filter(need=cloud_need).count() == 21
    past_the_end = client.get(f"{url}?page=9&mode=exact")
    assert past_the_end.status_code == 302
    assert "page=2" in past_the_end["Location"]
    assert "mode=exact" in past_the_end["Location"]


def test_the_api_pages_with_offset_and_says_the_total(
    make_talent: Callable[..., TalentProfile], cloud_need: Need, company_user: User,
    login: Callable[[User], Client],
) -> None:  # fmt: skip
    newcomer = _twenty_strong_and_a_newcomer(make_talent)
    client = login(company_user)
    first = client.get(f"{API}/needs/{cloud_need.pk}/matches")
    assert first["X-Total-Count"] == "21"
    assert newcomer.pk not in [m["profile_id"] for m in first.json()]
    rest = client.get(f"{API}/needs/{cloud_need.pk}/matches?offset=20").json()
    assert [(m["rank"], m["profile_id"]) for m in rest] == [(21, newcomer.pk)]
    assert client.get(f"{API}/needs/{cloud_need.pk}/matches?offset=-1").status_code == 400


def test_an_unverified_organization_is_told_why_some_people_are_not_listed(
    make_talent: Callable[..., TalentProfile], cloud_need: Need, company_user: User,
    login: Callable[[User], Client],
) -> None:  # fmt: skip
    make_talent("members-only", visibility_profile="organizations")
    make_talent("everyone", visibility_profile="public")
    client = login(company_user)
    assert (
        "まだ確認されていない" not in client.get(f"/talent/needs/{cloud_need.pk}/matches/").content.decode()
    )
    cloud_need.organization.verified = False
    cloud_need.organization.save()
    page = client.get(f"/talent/needs/{cloud_need.pk}/matches/").content.decode()
    assert "まだ確認されていない" in page
    assert "条件を満たす候補者: 1 人" in page
    assert "everyone" in page
    assert "members-only" not in page
