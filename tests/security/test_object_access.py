"""Object-level access outside /staff/m/: every URL with an id, slug or code, walked from the URL configuration,
answers 403/404/405 to a user who has every kind of standing except a relation to that object.

tests/core/test_permissions.py covers `/staff/m/<code>/…`. Here a new route with a parameter fails the walk until
it is given an object to probe (OBJECT_OF) or is declared public by design (PUBLIC), so nobody adds one unchecked.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from tests.url_routes import routes_where

from chiiki.core.models import Municipality, User
from chiiki.talent.models import Evidence

from .conftest import World

# Routes whose parameter names something public (an open need, a CKAN action name, a text-size form, an
# answering page that is bound to the respondent's session, not to the URL), checked elsewhere.
PUBLIC = {
    # Residents' pages of the newer apps name a town or an area, not an object: procedures and published
    # fact-checks are public, a dead-zone report's status is reached by its secret reference, the LINE webhook
    # is checked by its signature (their own tests cover each).
    "/coverage/<str:town>/report/",
    "/coverage/<str:town>/status/",
    "/coverage/<str:town>/status/<str:reference>/",
    "/procedures/<str:town>/",
    "/procedures/<str:town>/<slug:procedure_code>/",
    "/procedures/<str:town>/<slug:procedure_code>/apply/",
    "/procedures/<str:town>/<slug:procedure_code>/form.xlsx",
    "/procedures/<str:town>/<slug:procedure_code>/form.json",
    "/procedures/<str:town>/dictionary.json",
    # Asking for an e-mail sign-in link names only the town; the account is bound to the session, not the URL.
    "/procedures/<str:town>/email/",
    # The help points and their open slots are public; a booking is reached by its number and contact.
    "/procedures/<str:town>/help/",
    "/procedures/<str:town>/help/cancel/",
    "/procedures/<str:town>/help/<int:help_point_id>/",
    "/procedures/<str:town>/help/slots/<int:slot_id>/book/",
    # The inbox shows only the messages of the person the session's card sign-in was linked to.
    "/procedures/<str:town>/inbox/",
    "/factcheck/<str:area>/",
    "/factcheck/<str:area>/feed.atom",
    "/factcheck/<str:area>/report/",
    "/factcheck/<str:area>/<int:claim_id>/",
    "/yamibaito/<str:area>/",
    "/line/<str:area>/webhook",
    "/api/v1/infosafety/municipalities/<code>/factchecks",  # the published fact-checks
    "/api/v1/infosafety/municipalities/<code>/reports",  # anyone may report a rumour (a tipline)
    "/talent/needs/<int:pk>/",
    "/api/v1/talent/needs/<need_id>",
    "/api/3/action/<str:name>",
    "/api/action/<str:name>",
    "/opendata/standard/<str:kind>.json",  # the standard datasets' schemas, public
}
# The answering pages take a page name, not an object id: the case comes from the respondent's session.
SESSION_BOUND = {"/answer/q/<str:page>/"}


def _parameter_routes() -> list[str]:
    """Every route outside /staff/m/ with a path parameter."""
    return routes_where(lambda route: "<" in route and not route.startswith("/staff/m/"))


def _object_of(world: World) -> dict[str, dict[str, str]]:
    """For each route, the parameter values that name an object the outsider must not see or change."""
    w = world
    code = w.household.municipality_id
    return {
        "/api/v1/registry/municipalities/<code>/households": {"code": code},
        "/api/v1/registry/municipalities/<code>/households/<household_id>/members": {
            "code": code, "household_id": str(w.household.pk)},
        "/api/v1/talent/profiles/<profile_id>": {"profile_id": str(w.worker.pk)},
        "/api/v1/talent/needs/<need_id>/matches": {"need_id": str(w.need.pk)},
        "/api/v1/talent/introductions/<intro_id>/<answer>": {"intro_id": str(w.introduction.pk), "answer": "accept"},
        "/api/v1/talent/dashboard/<code>": {"code": code},
        "/api/v1/sidejob/dashboard/<code>": {"code": code},
        "/api/v1/surveys/municipalities/<code>/surveys": {"code": code},
        "/api/v1/surveys/municipalities/<code>/surveys/<survey_id>/letters": {"code": code, "survey_id": "1"},
        "/api/v1/coverage/municipalities/<code>/cells": {"code": code},
        "/api/v1/coverage/municipalities/<code>/coverage": {"code": code},
        "/api/v1/cyber/municipalities/<code>/alerts": {"code": code},
        "/api/v1/procedures/municipalities/<code>/allowances": {"code": code},
        "/api/v1/procedures/municipalities/<code>/applications": {"code": code},
        "/api/v1/infosafety/municipalities/<code>/screen": {"code": code},
        "/opendata/dataset/<str:name>/": {"name": w.dataset.name},
        "/opendata/dataset/<str:name>/report/": {"name": w.dataset.name},
        "/opendata/dataset/<str:name>/history/": {"name": w.dataset.name},
        "/opendata/dataset/<str:name>.ttl": {"name": w.dataset.name},
        "/opendata/dataset/<str:name>.jsonld": {"name": w.dataset.name},
        "/opendata/dataset/<str:name>.rdf": {"name": w.dataset.name},
        "/opendata/resource/<uuid:resource_id>/download": {"resource_id": str(w.resource.pk)},
        "/talent/profiles/<int:pk>/": {"pk": str(w.worker.pk)},
        "/talent/profiles/<int:pk>/endorse/": {"pk": str(w.worker.pk)},
        "/talent/needs/<int:pk>/matches/": {"pk": str(w.need.pk)},
        "/talent/needs/<int:pk>/close/": {"pk": str(w.need.pk)},
        "/talent/introductions/<int:pk>/": {"pk": str(w.introduction.pk)},
        "/talent/hours-models/<int:pk>/": {"pk": str(w.agreement.pk)},
        "/talent/organizations/<int:pk>/": {"pk": str(w.company.pk)},
        "/talent/organizations/<int:pk>/needs/new/": {"pk": str(w.company.pk)},
        "/talent/organizations/<int:pk>/contracts/new/": {"pk": str(w.company.pk)},
        "/talent/contracts/<int:pk>/": {"pk": str(w.contract.pk)},
    }  # fmt: skip


def _fill(route: str, values: dict[str, str]) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], route)


def test_every_parameter_route_is_probed_or_declared_public(world: World) -> None:
    unchecked = set(_parameter_routes()) - set(_object_of(world)) - PUBLIC - SESSION_BOUND
    assert not unchecked, (
        f"give these routes an object to probe in OBJECT_OF, or declare them PUBLIC: {unchecked}"
    )


@pytest.mark.parametrize("method", ["get", "post"])
def test_outsider_gets_403_or_404_on_every_object_they_do_not_own(
    world: World, login: Callable[[User], Client], method: str
) -> None:
    client = login(world.outsider)
    answers: dict[str, int] = {}
    for route, values in _object_of(world).items():
        url = _fill(route, values)
        response = getattr(client, method)(url, {"profile": world.worker.pk, "skill_id": "cloud_infrastructure",
                                                 "level": "3", "organization": world.company.pk})  # fmt: skip
        answers[url] = response.status_code
    leaks = {url: status for url, status in answers.items() if status not in (403, 404, 405)}
    assert not leaks, f"{method.upper()} answered neither 403, 404 nor 405: {leaks}"
    assert not Evidence.objects.filter(profile=world.worker, kind=Evidence.Kind.ENDORSEMENT).exists()


def test_answer_pages_without_a_respondent_session_go_to_the_sign_in(world: World) -> None:
    response = Client().get("/answer/q/1/")
    assert response.status_code == 302
    assert response["Location"].startswith("/answer/")
    assert "/answer/q/" not in response["Location"]


def test_a_household_of_town_a_is_not_found_under_town_b_code(
    world: World, town_b: Municipality, login: Callable[[User], Client]
) -> None:
    client = login(world.outsider)  # town B's administrator
    for household_id in (str(world.household.pk), "99999999999999999999", "-1"):
        url = f"/api/v1/registry/municipalities/{town_b.code}/households/{household_id}/members"
        response = client.get(url)
        assert response.status_code in (404, 422), (household_id, response.content[:200])
        assert (
            world.household.members.values_list("person_code", flat=True)[0] not in response.content.decode()
        )
