"""Prefill after card sign-in: the card's four facts are matched to the registry by the linkage engine's rule;
only `linked` fills the form, `review` and `unmatched` never do."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.demo import residents as synthetic
from chiiki.procedures import oidc
from chiiki.procedures.actions import load_starter_catalog
from chiiki.procedures.prefill import SESSION_PREFILL, match_claims, prefill_for
from chiiki.registry.actions import import_registry
from chiiki.registry.models import Person


@pytest.fixture
def town(db: None) -> Municipality:
    """A town with a registry large enough for the engine's estimates (a few dozen persons give too little)."""
    town = Municipality.objects.create(
        code="343099",
        prefecture_code="34",
        prefecture="広島県",
        name="緑川市",
        name_kana="ミドリカワシ",
        kind="city",
    )
    import_registry(town, synthetic.generate(persons=1500, seed=7), by=Actor.system("test"))
    return town


def _person(town: Municipality) -> Person:
    return Person.objects.filter(municipality=town).select_related("household").order_by("id").first()


def _claims(person: Person, **changes: str) -> dict[str, Any]:
    claims = {
        "sub": "card-1",
        "name": f"{person.family_name} {person.given_name}",
        "birthdate": person.birth_date.isoformat(),
        "gender": "female" if person.sex == "2" else "male",
        "address": person.household.address,
        "postal_code": person.household.postal_code,
    }
    return {**claims, **changes}


def test_the_card_holder_found_in_the_registry_is_linked_and_prefilled(town: Municipality) -> None:
    person = _person(town)
    match = match_claims(town, _claims(person))
    assert (match.decision, match.person_code) == ("linked", person.person_code)
    prefill = prefill_for(town, {"decision": match.decision, "person_code": match.person_code})
    assert prefill.answers["applicant_name"] == f"{person.family_name} {person.given_name}"
    assert prefill.answers["address"] == person.household.address
    assert prefill.answers["birth_date"] == person.birth_date.isoformat()
    members = Person.objects.filter(household=person.household).count()
    assert len(prefill.household) == members


def test_name_birth_date_and_sex_alone_go_to_review_and_never_prefill(town: Municipality) -> None:
    person = _person(town)
    match = match_claims(town, _claims(person, address="北海道夕張市本町99-99", postal_code="0680000"))
    assert match.decision == "review"
    assert match.person_code == ""
    assert prefill_for(town, {"decision": "review", "person_code": person.person_code}).answers == {}


def test_a_stranger_is_unmatched_and_never_prefilled(town: Municipality) -> None:
    stranger = {
        "name": "鬼頭 龍之介",
        "birthdate": "1901-01-01",
        "gender": "male",
        "address": "北海道夕張市本町1-1",
    }
    assert match_claims(town, stranger).decision == "unmatched"
    assert prefill_for(town, {"decision": "unmatched"}).answers == {}


@pytest.mark.parametrize(
    ("decision", "prefilled"), [("linked", True), ("review", False), ("unmatched", False)]
)
def test_the_form_starts_filled_only_for_a_linked_match(
    town: Municipality, decision: str, prefilled: bool
) -> None:
    load_starter_catalog(town, by=Actor.system("test"))
    person = _person(town)
    client = Client()
    session = client.session
    session[oidc.SESSION_CLAIMS] = _claims(person)
    session[SESSION_PREFILL] = {"decision": decision, "person_code": person.person_code}
    session.save()
    page = client.get(f"/procedures/{town.code}/kaigo-nintei/apply/").content.decode()
    assert (f'value="{person.family_name} {person.given_name}"' in page) is prefilled
    assert (person.household.address in page) is prefilled
