"""Talent endpoints of the JSON API: visibility, match lists, introductions with consent, export, dashboard, OpenAPI."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.talent import actions
from chiiki.talent.models import Need, Organization, TalentProfile

API = "/api/v1/talent"


def test_openapi_describes_the_talent_endpoints(db: None, admin_user: User) -> None:
    client = Client()
    client.force_login(admin_user)
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/profiles", "/needs", "/needs/{need_id}/matches", "/introductions", "/me/export",
                 "/dashboard/{code}", "/standard/roles"):  # fmt: skip
        assert f"{API}{path}" in paths, path


def test_standard_roles_are_public(db: None) -> None:
    roles = Client().get(f"{API}/standard/roles").json()
    assert len(roles) == 15
    cloud = next(r for r in roles if r["id"] == "cloud_engineer_sre")
    assert cloud["required"]["cloud_infrastructure"] == "a"


def test_profile_list_hides_sections_per_viewer(
    make_talent: Callable[..., TalentProfile], company: Organization, company_user: User,
    login: Callable[[User], Client],
) -> None:  # fmt: skip
    person = make_talent("hanako", visibility_profile="public", visibility_skills="organizations")
    actions.set_skills(person, {"cloud_infrastructure": 3}, by=Actor.for_user(person.user))
    make_talent("hidden", visibility_profile="private")
    anonymous = Client().get(f"{API}/profiles").json()
    assert [p["display_name"] for p in anonymous] == ["hanako"]
    assert anonymous[0]["skills"] is None
    as_company = login(company_user).get(f"{API}/profiles").json()
    assert as_company[0]["skills"] == {"cloud_infrastructure": "b"}
    assert Client().get(f"{API}/profiles?limit=0").status_code == 400


def test_needs_are_public_and_filterable(cloud_need: Need) -> None:
    assert [n["id"] for n in Client().get(f"{API}/needs?prefecture=34").json()] == [cloud_need.pk]
    assert Client().get(f"{API}/needs?prefecture=31").json() == []
    assert Client().get(f"{API}/needs/{cloud_need.pk}").json()["required"]["cloud_infrastructure"] == "b"


def test_match_list_for_the_needs_organization_only(
    make_talent: Callable[..., TalentProfile], cloud_need: Need, company_user: User,
    login: Callable[[User], Client],
) -> None:  # fmt: skip
    person = make_talent("hanako")
    actions.set_skills(
        person, {"cloud_infrastructure": 3, "backend_development": 3}, by=Actor.for_user(person.user)
    )
    matches = login(company_user).get(f"{API}/needs/{cloud_need.pk}/matches").json()
    assert matches[0]["profile_id"] == person.pk
    assert matches[0]["skills_short"] == []
    assert "満たすスキル" in matches[0]["explanation_ja"]
    assert login(person.user).get(f"{API}/needs/{cloud_need.pk}/matches").status_code == 403
    assert Client().get(f"{API}/needs/{cloud_need.pk}/matches").status_code == 401
    mine = login(person.user).get(f"{API}/me/matches").json()
    assert [m["need_id"] for m in mine] == [cloud_need.pk]


def test_introduction_contact_only_after_both_accept(
    make_talent: Callable[..., TalentProfile], cloud_need: Need, company_user: User,
    login: Callable[[User], Client],
) -> None:  # fmt: skip
    person = make_talent("hanako")
    person_client = login(person.user)
    created = person_client.post(
        f"{API}/introductions",
        {"profile_id": person.pk, "need_id": cloud_need.pk},
        content_type="application/json",
    )
    assert created.status_code == 201
    intro = created.json()
    assert intro["contact"] is None
    assert not intro["accepted"]
    again = person_client.post(
        f"{API}/introductions",
        {"profile_id": person.pk, "need_id": cloud_need.pk},
        content_type="application/json",
    )
    assert again.status_code == 400
    accepted = login(company_user).post(f"{API}/introductions/{intro['id']}/accept").json()
    assert accepted["accepted"]
    assert accepted["contact"]["email"] == "hanako@example.jp"
    assert (
        login(make_talent("stranger").user).post(f"{API}/introductions/{intro['id']}/accept").status_code
        == 403
    )


def test_export_through_the_api_is_audited(
    make_talent: Callable[..., TalentProfile], login: Callable[[User], Client]
) -> None:
    person = make_talent("hanako")
    data = login(person.user).get(f"{API}/me/export").json()
    assert data["format"] == "chiiki-talent-export/1"
    assert AuditEvent.objects.filter(action="talent.profile_exported", actor=person.user).exists()


def test_dashboard_api_needs_the_permission(
    town_a: Municipality, town_b: Municipality, admin_a: User, cloud_need: Need,
    make_staff: Callable[..., User], login: Callable[[User], Client],
) -> None:  # fmt: skip
    rows = login(admin_a).get(f"{API}/dashboard/{town_a.code}").json()
    hiroshima = next(r for r in rows if r["prefecture"] == 34)
    assert hiroshima["demand"] == {"side_job": 1}
    assert {r["name"] for r in rows} == {"鳥取県", "島根県", "岡山県", "広島県", "山口県"}
    assert login(admin_a).get(f"{API}/dashboard/{town_b.code}").status_code == 403
    enumerator = make_staff("a-enum", town_a, Role.ENUMERATOR)
    assert login(enumerator).get(f"{API}/dashboard/{town_a.code}").status_code == 403
