"""A user of town A can read or change nothing of town B, through any page or API endpoint."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from tests.url_routes import routes_where

from chiiki.core.models import Municipality, Role, User
from chiiki.core.permissions import PERMISSIONS, UnknownPermissionError, has_permission, municipalities_with
from chiiki.registry.models import Household


def _tenant_routes() -> list[str]:
    """Every page route that takes a municipality code."""
    return routes_where(lambda route: "<str:code>" in route)


def _fill(route: str) -> str:
    """Put a plausible value into every other path parameter: the role check must answer before any lookup."""
    samples = {
        "int": "1",
        "str": "x",
        "slug": "x",
        "uuid": "00000000-0000-0000-0000-000000000001",
        "path": "x",
    }
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: samples.get(m.group(1) or "str", "x"), route)


def test_every_role_grant_is_a_known_role() -> None:
    assert all(roles <= set(Role.values) for roles in PERMISSIONS.values())


def test_unknown_permission_is_an_error_not_a_silent_deny(
    town_a: Municipality, make_staff: Callable[..., User]
) -> None:
    user = make_staff("a-admin", town_a, Role.ADMINISTRATOR)
    with pytest.raises(UnknownPermissionError):
        has_permission(user, town_a, "registry.viwe")


def test_role_grants_permission_only_in_its_own_municipality(
    town_a: Municipality, town_b: Municipality, make_staff: Callable[..., User]
) -> None:
    user = make_staff("a-survey", town_a, Role.SURVEY_MANAGER)
    assert has_permission(user, town_a, "registry.view")
    assert not has_permission(user, town_b, "registry.view")
    assert not has_permission(user, town_a, "core.view_audit")
    assert list(municipalities_with(user, "registry.view")) == [town_a]


def test_inactive_user_has_no_permission(town_a: Municipality, make_staff: Callable[..., User]) -> None:
    user = make_staff("a-old", town_a, Role.ADMINISTRATOR)
    user.is_active = False
    user.save()
    assert not has_permission(user, town_a, "registry.view")


def test_superuser_without_a_role_sees_no_personal_data(
    town_a: Municipality, login: Callable[[User], Client], make_staff: Callable[..., User]
) -> None:
    root = make_staff("root")
    root.is_superuser = True
    root.is_staff = True
    root.save()
    assert login(root).get(f"/staff/m/{town_a.code}/registry/").status_code == 403


def test_tenant_routes_are_discovered() -> None:
    routes = _tenant_routes()
    assert any("registry/" in route for route in routes)
    assert len(routes) >= 3


@pytest.mark.parametrize(
    "role", [Role.ADMINISTRATOR, Role.SURVEY_MANAGER, Role.LINKAGE_OFFICER, Role.AUDITOR]
)
def test_staff_of_town_a_cannot_open_any_page_of_town_b(
    role: Role,
    town_a: Municipality,
    town_b: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    client = login(make_staff("a-staff", town_a, role))
    household_b = Household.objects.filter(municipality=town_b).first()
    assert household_b is not None
    for route in _tenant_routes():
        url = _fill(
            route.replace("<str:code>", town_b.code).replace("<int:household_id>", str(household_b.pk))
        )
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url


def test_household_of_town_b_cannot_be_read_through_town_a_url(
    town_a: Municipality,
    town_b: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    client = login(make_staff("a-survey", town_a, Role.SURVEY_MANAGER))
    household_b = Household.objects.filter(municipality=town_b).first()
    assert household_b is not None
    assert client.get(f"/staff/m/{town_a.code}/registry/households/{household_b.pk}/").status_code == 404
    api = f"/api/v1/registry/municipalities/{town_a.code}/households/{household_b.pk}/members"
    assert client.get(api).status_code == 404


def test_api_refuses_other_municipality_and_anonymous(
    town_a: Municipality,
    town_b: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    client = login(make_staff("a-survey", town_a, Role.SURVEY_MANAGER))
    own = client.get(f"/api/v1/registry/municipalities/{town_a.code}/households")
    assert own.status_code == 200
    assert {row["household_code"] for row in own.json()} == set(
        Household.objects.filter(municipality=town_a).values_list("household_code", flat=True)
    )
    assert client.get(f"/api/v1/registry/municipalities/{town_b.code}/households").status_code == 403
    household_b = Household.objects.filter(municipality=town_b).first()
    assert household_b is not None
    members_b = f"/api/v1/registry/municipalities/{town_b.code}/households/{household_b.pk}/members"
    assert client.get(members_b).status_code == 403
    assert Client().get(f"/api/v1/registry/municipalities/{town_a.code}/households").status_code == 401


def test_enumerator_cannot_browse_the_registry(
    town_a: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    client = login(make_staff("a-enum", town_a, Role.ENUMERATOR))
    assert client.get(f"/staff/m/{town_a.code}/registry/").status_code == 403
    assert client.get(f"/api/v1/registry/municipalities/{town_a.code}/households").status_code == 403


def test_anonymous_is_sent_to_login(town_a: Municipality) -> None:
    response = Client().get(f"/staff/m/{town_a.code}/registry/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")
