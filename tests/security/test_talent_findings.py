"""Specific talent-bank findings of the security review, each a test that failed before its fix."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from chiiki.core.models import User
from chiiki.talent.models import Evidence, Organization

from .conftest import World


def _outsider_company(world: World) -> Organization:
    return Organization.objects.get(members__user=world.outsider)


def test_a_verified_company_cannot_endorse_a_private_profile_it_cannot_see(
    world: World, login: Callable[[User], Client]
) -> None:
    own = _outsider_company(world)
    response = login(world.outsider).post(
        f"/talent/profiles/{world.worker.pk}/endorse/",
        {"organization": own.pk, "skill_id": "cloud_infrastructure", "level": "3"},
    )
    assert response.status_code == 404
    assert not Evidence.objects.filter(profile=world.worker, organization=own).exists()


def test_contract_form_does_not_show_the_name_of_a_person_who_never_accepted_the_company(
    world: World, login: Callable[[User], Client]
) -> None:
    own = _outsider_company(world)
    response = login(world.outsider).get(
        f"/talent/organizations/{own.pk}/contracts/new/?profile={world.worker.pk}"
    )
    assert response.status_code == 404
    assert world.worker.display_name not in response.content.decode()


def test_contract_form_still_opens_for_the_accepted_employer(
    world: World, login: Callable[[User], Client]
) -> None:
    response = login(world.employer).get(
        f"/talent/organizations/{world.company.pk}/contracts/new/?profile={world.worker.pk}"
    )
    assert response.status_code == 200
    assert world.worker.display_name in response.content.decode()


def test_introduction_error_does_not_redirect_off_site(world: World, login: Callable[[User], Client]) -> None:
    client = login(world.worker.user)
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example", "https:evil.example"):
        # Asking the same company twice is refused by the action, which sends the user back to `next`.
        response = client.post(
            "/talent/introductions/new/",
            {
                "profile": world.worker.pk,
                "organization": world.company.pk,
                "need": world.need.pk,
                "next": target,
            },
        )
        assert response.status_code == 302
        assert response["Location"] == "/talent/introductions/", target


def test_introduction_error_returns_to_a_page_of_this_site(
    world: World, login: Callable[[User], Client]
) -> None:
    response = login(world.worker.user).post(
        "/talent/introductions/new/",
        {"profile": world.worker.pk, "organization": world.company.pk, "need": world.need.pk,
         "next": f"/talent/needs/{world.need.pk}/"},
    )  # fmt: skip
    assert response["Location"] == f"/talent/needs/{world.need.pk}/"
